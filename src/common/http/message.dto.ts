import { ApiProperty } from '@nestjs/swagger';

/** `{"message": "..."}`, the contract's shape for plain confirmations. */
export class MessageDto {
  @ApiProperty({ example: 'Password updated successfully' })
  message: string;

  static of(message: string): MessageDto {
    return Object.assign(new MessageDto(), { message });
  }
}
