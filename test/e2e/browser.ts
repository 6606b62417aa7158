// Debian's chromium, driven by playwright-core (which downloads no browser of
// its own), with the flags a machine without internet needs; and pages that
// record every console error, failed request and uncaught exception.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const SCREENSHOTS = resolve(import.meta.dirname, "screenshots");

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface WatchedPage {
  page: Page;
  /** Console errors, uncaught exceptions and failed or refused requests, as they happened. */
  problems: string[];
}

export async function open(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    // Chrome logs every 4xx as "Failed to load resource": the responses are judged below.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`exception: ${e.message}`));
  page.on("requestfailed", (r) => {
    // A download the page hands to the browser, and the event stream it closes, end as "aborted".
    if (r.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on("response", (r) => {
    // The API answers 4xx on purpose to a bad field (the page shows it at the field); anything else that fails is the page's fault.
    const api = new URL(r.url()).pathname.startsWith("/api/");
    if (r.status() >= 500 || (r.status() >= 400 && !api)) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(url);
  return { page, problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true });
}
