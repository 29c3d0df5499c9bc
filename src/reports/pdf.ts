/**
 * The monthly report page as a PDF, printed by headless Chromium through playwright-core (the Debian
 * `chromium` package; playwright's own browser download is not used). A4, backgrounds on (the heatmap).
 */
export const CHROMIUM = process.env.NETMON_CHROMIUM ?? '/usr/bin/chromium';

export async function htmlToPdf(html: string, executablePath = CHROMIUM): Promise<Buffer> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    // The page has no script and no external resource: setContent needs no server.
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
