/**
 * The explorer (GraphiQL) as a user drives it: the Docs pane, the query editor, the
 * Headers tab, the run button and the result pane. Editors are CodeMirror 5 instances;
 * text is put in through the editor (typing would add closing brackets of its own).
 */
import type { Page } from 'playwright-core';

type CodeMirrorElement = { CodeMirror: { setValue(v: string): void; getValue(): string } };

/** The visible CodeMirror editor under `selector` (the Variables and Headers editors share a place). */
async function setEditor(page: Page, selector: string, text: string): Promise<void> {
  const editor = page.locator(`${selector} .CodeMirror:visible`);
  await editor.waitFor();
  await editor.evaluate((el, value) => (el as unknown as CodeMirrorElement).CodeMirror.setValue(value), text);
}

export async function typeQuery(page: Page, query: string): Promise<void> {
  await setEditor(page, '.graphiql-query-editor', query);
}

/** Opens the Headers tab and puts `headers` there, as a user would type them. */
export async function typeHeaders(page: Page, headers: Record<string, string>): Promise<void> {
  await page.locator('.graphiql-editor-tools').getByText('Headers', { exact: true }).click();
  await setEditor(page, '.graphiql-editor-tool', JSON.stringify(headers, null, 2));
  // GraphiQL takes an editor's text after a short debounce.
  await page.waitForTimeout(1_000);
}

export async function run(page: Page): Promise<void> {
  await page.click('.graphiql-execute-button');
}

/** The result pane's text. */
export async function result(page: Page): Promise<string> {
  return page.$eval('.graphiql-response .CodeMirror', (el) =>
    (el as unknown as CodeMirrorElement).CodeMirror.getValue(),
  );
}

/** Waits until the result pane's text satisfies `pred`; returns it. */
export async function waitForResult(
  page: Page,
  pred: (text: string) => boolean,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await result(page).catch(() => '');
    if (pred(text)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(
    `the result pane did not show what was expected within ${timeoutMs} ms; it shows:\n${text}`,
  );
}

/** Opens the Docs pane and the Query type; resolves with the field names it lists. */
export async function docsQueryFields(page: Page): Promise<string[]> {
  const docs = page.locator('.graphiql-doc-explorer');
  if (!(await docs.isVisible())) await page.getByRole('button', { name: /Documentation Explorer/ }).click();
  await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().click();
  await page.waitForSelector('.graphiql-doc-explorer-field-name');
  return page.$$eval('.graphiql-doc-explorer-field-name', (els) => els.map((e) => e.textContent ?? ''));
}

/** Clicks "Re-fetch GraphQL schema" until the Docs pane has a schema to show (or 15 s pass). */
export async function refetchSchema(page: Page): Promise<void> {
  const deadline = Date.now() + 15_000;
  do {
    await page.getByRole('button', { name: 'Re-fetch GraphQL schema' }).click();
    await page.waitForTimeout(500);
    if ((await page.locator('.graphiql-doc-explorer').getByText('Error fetching schema').count()) === 0)
      return;
  } while (Date.now() < deadline);
}
