import { IsIn, IsNotEmpty, IsString } from 'class-validator';
import { SAMPLE_STYLES, type SampleStyle } from './image-rules';

/** Body of `POST /images/variants`. */
export class CreateVariantDto {
  /** Key of an uploaded original. */
  @IsString()
  @IsNotEmpty()
  key!: string;

  /** One of the server-side styles. */
  @IsIn(Object.keys(SAMPLE_STYLES))
  style!: SampleStyle;
}
