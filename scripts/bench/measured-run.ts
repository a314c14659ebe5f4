/** When and how the figures of a partial run (`npm run bench -- --only …`) were measured. */
export interface MeasuredRun {
  readonly date: string;
  readonly command: string;
  /** The Node that served the measured function (FUNCTIONS_NODE, or this process's). */
  readonly functionsNode: string;
}
