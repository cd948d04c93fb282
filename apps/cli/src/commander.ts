// commander is bundled into the CLI's build (tsup noExternal): one file instead of a CommonJS package
// resolved through node_modules saves several milliseconds of every `sase` start-up.
export { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
