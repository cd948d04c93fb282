/** The workspace's xprompt catalog: see @sase/workspace. */
export type { LoadWorkspaceCatalogOptions } from '@sase/workspace';
export {
  findXPromptRoot,
  loadWorkspaceCatalog,
  WORKSPACE_XPROMPTS as CLI_BUILTIN_XPROMPTS,
} from '@sase/workspace';
