#!/usr/bin/env node
// The fake agent of @sase/launcher-core's tests (see its header for the protocol), replaying the recorded
// output in this directory.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.SASE_FAKE_FIXTURES = dirname(fileURLToPath(import.meta.url));
await import('../../../launcher-core/src/__fixtures__/fake-agent.mjs');
