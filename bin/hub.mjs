#!/usr/bin/env node
// `npx hub …`: registers tsx's loader in this process (what `node --import tsx` does), then runs the
// TypeScript CLI. cli/main.ts sets process.exitCode.
import 'tsx';

await import('../cli/main.ts');
