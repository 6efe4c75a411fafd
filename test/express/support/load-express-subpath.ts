// Loaded by the express e2e spec in a child process where @nestjs/* cannot be resolved.
import { ciUpload, createCiStorage } from '../../../lib/express';

console.log(`ciUpload ${typeof ciUpload}, createCiStorage ${typeof createCiStorage}`);
