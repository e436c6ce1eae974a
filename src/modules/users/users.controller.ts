import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/principal.js';
import { Public } from '../../common/auth/public.decorator.js';
import { SessionOnly } from '../../common/auth/session-only.decorator.js';
import { SuperuserOnly } from '../../common/auth/superuser.guard.js';
import { PageQueryDto } from '../../common/http/page-query.dto.js';
import { UuidParamPipe } from '../../common/validation/uuid-param.pipe.js';
import { AppConfig } from '../../config/app-config.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { RegisterUserDto } from './dto/register-user.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserResponseDto, UsersPageDto } from './dto/user-response.dto.js';
import { User } from './entities/user.entity.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @SuperuserOnly()
  @ApiOperation({ summary: 'List users' })
  @ApiOkResponse({ type: UsersPageDto })
  async list(@Query() page: PageQueryDto): Promise<UsersPageDto> {
    const { users, count } = await this.users.list(page.skip, page.limit);
    return { data: users.map(UserResponseDto.from), count };
  }

  @Post()
  // Listed above SuperuserOnly so that it runs after it: a normal user hears the privilege refusal.
  @SessionOnly((body) => body.is_superuser === true)
  @SuperuserOnly()
  @ApiOperation({ summary: 'Create a user (a superuser only with a password login)' })
  @ApiCreatedResponse({ type: UserResponseDto })
  async create(@Body() input: CreateUserDto): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.create(input));
  }

  @Get('me')
  @ApiOperation({ summary: 'Read the current user' })
  @ApiOkResponse({ type: UserResponseDto })
  readMe(@CurrentUser() user: User): UserResponseDto {
    return UserResponseDto.from(user);
  }

  @Delete('me')
  @SessionOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the current user and their items' })
  @ApiNoContentResponse()
  async deleteMe(@CurrentUser() user: User): Promise<void> {
    await this.users.deleteMe(user);
  }

  @Post('signup')
  @Public()
  @ApiOperation({ summary: 'Sign up without being logged in' })
  @ApiCreatedResponse({ type: UserResponseDto })
  async register(@Body() input: RegisterUserDto): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.register(input, this.config.usersOpenRegistration));
  }

  @Get(':user_id')
  @ApiOperation({ summary: 'Read a user (yourself, or anyone as a superuser)' })
  @ApiOkResponse({ type: UserResponseDto })
  async findOne(@CurrentUser() caller: User, @Param('user_id', UuidParamPipe) id: string): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.findVisible(caller, id));
  }

  @Patch(':user_id')
  @SessionOnly((body) => body.email !== undefined || body.password !== undefined || body.is_superuser === true)
  @SuperuserOnly()
  @ApiOperation({ summary: 'Update a user (email, password and superuser rights only with a password login)' })
  @ApiOkResponse({ type: UserResponseDto })
  async update(@Param('user_id', UuidParamPipe) id: string, @Body() input: UpdateUserDto): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.update(id, input));
  }

  @Delete(':user_id')
  @SuperuserOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user and their items' })
  @ApiNoContentResponse()
  async delete(@CurrentUser() caller: User, @Param('user_id', UuidParamPipe) id: string): Promise<void> {
    await this.users.delete(caller, id);
  }
}
