import { describeSaseWorkflows } from './sase-workflow.js';

describeSaseWorkflows('gemini');
