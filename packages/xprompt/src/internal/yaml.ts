import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';

let yaml: typeof YamlModule | undefined;

/**
 * The `yaml` package, loaded on first use: importing it costs about 20 ms, and most prompts (and every
 * xprompt without frontmatter) never need it. `yaml` ships a CommonJS build for Node, so a synchronous
 * require keeps the parsing functions synchronous.
 */
export function loadYaml(): typeof YamlModule {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof YamlModule;
  return yaml;
}
