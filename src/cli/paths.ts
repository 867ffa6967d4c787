import { fileURLToPath } from 'node:url';

/** Files that ship with the package, found relative to this file so `npx kms-drift` works from any directory. */
const root = fileURLToPath(new URL('../../', import.meta.url));

export const BUNDLED_RULES = `${root}rules`;
export const EXAMPLE_STATE = `${root}examples/terraform.tfstate`;
export const EXAMPLE_EVENTS = `${root}examples/events`;
