import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { adminFontsStylesheet, withLocalFonts } from '../../../src/admin/admin-fonts';
import { projectRoot } from '../../../src/common/project-root';

/** Issue 14 item 2: the admin's fonts come from the product, never from fonts.googleapis.com. */
describe('the admin fonts', () => {
  it("points AdminJS's Google Fonts link (layout and login templates) to the product's stylesheet", () => {
    for (const template of ['layout-template.js', 'login-template.js']) {
      const source = readFileSync(join(projectRoot(), 'node_modules', 'adminjs', 'lib', 'frontend', template), 'utf8');
      const page = withLocalFonts(source);
      expect(source).toContain('fonts.googleapis.com');
      expect(page).not.toMatch(/googleapis|gstatic/);
      expect(page).toContain('<link rel="stylesheet" href="/admin-fonts/fonts.css" type="text/css">');
    }
  });

  it('serves Roboto and Noto Sans SC with every font file from this origin', () => {
    const css = adminFontsStylesheet();
    const urls = [...css.matchAll(/url\(([^)]+)\)/g)].map(([, url]) => url);
    expect(urls.length).toBeGreaterThan(100);
    expect(urls.filter((url) => !url.startsWith('/admin-fonts/'))).toEqual([]);
    expect(css).toContain("font-family: 'Roboto'");
    expect(css).toContain("font-family: 'Noto Sans SC Variable'");
    // every referenced file is in its package
    const packages: Record<string, string> = { roboto: '@fontsource/roboto', 'noto-sans-sc': '@fontsource-variable/noto-sans-sc' };
    const missing = urls.filter((url) => {
      const [, family, file] = url.split('/').slice(1);
      return !existsSync(join(dirname(require.resolve(`${packages[family]}/package.json`)), 'files', file));
    });
    expect(missing).toEqual([]);
  });
});
