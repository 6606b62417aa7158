// tau-prolog 0.3.4 (modules/core.js) assigns these names without declaring
// them. That works in a sloppy CommonJS module, but in a strict ES module
// bundle (workerd, Vite) assigning an undeclared name throws. Declaring them
// on globalThis first makes the assignments land there. Import this module
// before "tau-prolog".
const TAU_GLOBALS = [
  "tau_file_system",
  "tau_user_input",
  "tau_user_output",
  "tau_user_error",
  "nodejs_file_system",
  "nodejs_user_input",
  "nodejs_user_output",
  "nodejs_user_error",
] as const;

const g = globalThis as Record<string, unknown>;
for (const name of TAU_GLOBALS) if (!(name in g)) g[name] = undefined;
