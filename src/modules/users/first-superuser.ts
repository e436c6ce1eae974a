import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { UsersService } from './users.service.js';

/** Creates FIRST_SUPERUSER at start-up when missing, so a fresh install can log in. */
@Injectable()
export class FirstSuperuser implements OnApplicationBootstrap {
  private readonly logger = new Logger(FirstSuperuser.name);

  constructor(
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const created = await this.users.ensureFirstSuperuser(
      this.config.firstSuperuser,
      this.config.firstSuperuserPassword,
    );
    if (created) this.logger.log(`Created the first superuser ${this.config.firstSuperuser}`);
  }
}
