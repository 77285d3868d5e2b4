/** Loading and error lines, announced to screen readers. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorMessage({ error }: { error: string }) {
  return (
    <p className="error" role="alert">
      <span aria-hidden="true">⚠ </span>
      {error}
    </p>
  );
}
