/** Entry point of `hub` (bin/hub.mjs runs it with tsx): exit code from runCli, output flushed first. */
import { runCli } from './program';

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
