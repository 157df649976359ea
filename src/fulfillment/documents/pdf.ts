import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';

/**
 * Noto Sans SC (SIL OFL 1.1, from @expo-google-fonts/noto-sans-sc): pdfkit's standard fonts have no CJK glyphs, so
 * every document embeds this one (subset to the characters used, so a PDF stays tens of kilobytes).
 */
const FONT_DIR = dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));
const FONT_FILES = {
  regular: join(FONT_DIR, '400Regular', 'NotoSansSC_400Regular.ttf'),
  bold: join(FONT_DIR, '700Bold', 'NotoSansSC_700Bold.ttf'),
} as const;
const fontCache = new Map<keyof typeof FONT_FILES, Buffer>();

function font(weight: keyof typeof FONT_FILES): Buffer {
  let data = fontCache.get(weight);
  if (!data) {
    data = readFileSync(FONT_FILES[weight]);
    fontCache.set(weight, data);
  }
  return data;
}

export type Pdf = PDFKit.PDFDocument;

/** A document with the CJK fonts registered as `regular` and `bold` (and `regular` selected). */
export function createPdf(options: { size: [number, number] | string; margin: number; title: string }): Pdf {
  const doc = new PDFDocument({ size: options.size, margin: options.margin, info: { Title: options.title, Creator: 'OMS' }, bufferPages: true });
  doc.registerFont('regular', font('regular'));
  doc.registerFont('bold', font('bold'));
  return doc.font('regular');
}

/** Ends the document and collects its bytes. */
export function renderPdf(doc: Pdf): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

export const MM = 72 / 25.4;

export interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right' | 'center';
}

/** A ruled table from the current y; rows that do not fit start a new page with the header repeated. */
export function drawTable(doc: Pdf, columns: Column[], rows: string[][], options: { x?: number; fontSize?: number } = {}): void {
  const x0 = options.x ?? doc.page.margins.left;
  const fontSize = options.fontSize ?? 9;
  const padding = 4;
  const totalWidth = columns.reduce((sum, column) => sum + column.width, 0);
  const rowHeight = (cells: string[], fontName: string) => {
    doc.font(fontName).fontSize(fontSize);
    return Math.max(...cells.map((cell, i) => doc.heightOfString(cell, { width: columns[i].width - 2 * padding }))) + 2 * padding;
  };
  const drawRow = (cells: string[], fontName: string, shaded: boolean) => {
    const height = rowHeight(cells, fontName);
    const y = doc.y;
    if (shaded) doc.save().rect(x0, y, totalWidth, height).fill('#eeeeee').restore();
    let x = x0;
    doc.font(fontName).fontSize(fontSize).fillColor('black');
    cells.forEach((cell, i) => {
      doc.text(cell, x + padding, y + padding, { width: columns[i].width - 2 * padding, align: columns[i].align ?? 'left' });
      x += columns[i].width;
    });
    doc.moveTo(x0, y + height).lineTo(x0 + totalWidth, y + height).lineWidth(0.5).strokeColor('#999999').stroke();
    doc.x = x0;
    doc.y = y + height;
  };
  const header = columns.map((column) => column.header);
  drawRow(header, 'bold', true);
  for (const row of rows) {
    if (doc.y + rowHeight(row, 'regular') > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      drawRow(header, 'bold', true);
    }
    drawRow(row, 'regular', false);
  }
  doc.font('regular');
}

/** Page numbers at the foot of every page ("第 1 / 2 页"), once the whole document is laid out. */
export function numberPages(doc: Pdf): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const { margins, width, height } = doc.page;
    const bottom = margins.bottom;
    doc.page.margins.bottom = 0; // writing into the margin must not open a new page
    doc.font('regular').fontSize(8).fillColor('#666666')
      .text(`第 ${i + 1} / ${range.count} 页`, margins.left, height - bottom / 2 - 4, { width: width - margins.left - margins.right, align: 'center' });
    doc.page.margins.bottom = bottom;
  }
  doc.fillColor('black');
}
