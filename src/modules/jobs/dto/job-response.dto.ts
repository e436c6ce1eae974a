import { ApiProperty } from '@nestjs/swagger';

export class JobResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'echo' })
  name: string;

  @ApiProperty({
    enum: ['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized', 'waiting-children', 'unknown'],
  })
  state: string;

  @ApiProperty({ description: 'Attempts made so far' })
  attempts: number;

  @ApiProperty({ nullable: true, description: 'What the job returned, once completed' })
  result: unknown;

  @ApiProperty({ type: String, nullable: true })
  failed_reason: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finished_at: string | null;
}

export class EnqueuedJobDto {
  @ApiProperty({ format: 'uuid' })
  job_id: string;
}

export class EnqueuedEmailDto extends EnqueuedJobDto {
  @ApiProperty({ example: 'Test email sent' })
  message: string;
}
