import { CreateFoundationSchema1764000000000 } from './1764000000000-create-foundation-schema';

/** Every migration in the order it runs; listed explicitly so src (ts-jest) and dist (node) load the same set. */
export const MIGRATIONS = [CreateFoundationSchema1764000000000];
