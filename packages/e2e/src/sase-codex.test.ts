import { describeSaseWorkflows } from './sase-workflow.js';

describeSaseWorkflows('codex');
