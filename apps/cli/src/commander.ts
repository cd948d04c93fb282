import { createRequire } from 'node:module';
import type * as CommanderModule from 'commander';

// commander is CommonJS. Loading it with require() skips the ESM wrapper and its export scan (~3 ms of
// every `sase` start-up). Command modules and register functions import it from here.
const commander = createRequire(import.meta.url)('commander') as typeof CommanderModule;

export const { Command, CommanderError, Option } = commander;
export type Command = CommanderModule.Command;
export type CommanderError = CommanderModule.CommanderError;
export type Option = CommanderModule.Option;
