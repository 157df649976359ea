import type { BrandingOptions } from 'adminjs';

/**
 * The admin's name and type. The words of both languages are in ./locale (en.ts, zh-CN.ts); each user sees theirs.
 * Fonts (issue 14 item 2): Roboto for Latin text and Noto Sans SC for Chinese, both served by the product (admin-fonts.ts);
 * a Chinese system font (PingFang on macOS, Microsoft YaHei on Windows) is used first where there is one, so that most
 * operators download no CJK font at all.
 */
export const ADMIN_FONT_FAMILY = "'Roboto', 'PingFang SC', 'Microsoft YaHei', 'Noto Sans SC Variable', 'Noto Sans CJK SC', sans-serif";

export const ADMIN_BRANDING: BrandingOptions = {
  companyName: 'OMS',
  logo: false,
  withMadeWithLove: false,
  // the design system's `font` is one CSS font-family string (its override type wants an object)
  theme: { font: ADMIN_FONT_FAMILY } as unknown as BrandingOptions['theme'],
};
