// A file's text, as Vite imports it (`import text from "./file?raw"`).
declare module "*?raw" {
  const text: string;
  export default text;
}
