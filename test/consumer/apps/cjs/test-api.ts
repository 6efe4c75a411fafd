export { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
