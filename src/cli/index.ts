// The CLI's public surface: the program main.ts runs (the docs test walks its commands).
export { buildFullProgram, buildProgram } from './program.js';
