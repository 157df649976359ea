import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATUS_TONES } from '../../../src/admin/components/status-tones';
import { ADMIN_LANGUAGES, ADMIN_TRANSLATIONS, adminLocale, ENUM_PROPERTIES, ENUM_VALUES, type EnumGroup, interpolate } from '../../../src/admin/locale';
import { FORM_TEXTS_ZH, translateForm, translateFormText } from '../../../src/admin/locale/forms';
import { projectRoot } from '../../../src/common/project-root';

type Tree = { [key: string]: string | Tree };

/** Every leaf of a translation tree as its path (a key may hold a dot: the audit action `auth.login`). */
const pathsOf = (tree: Tree, prefix: string[] = []): string[][] =>
  Object.entries(tree).flatMap(([key, value]) => (typeof value === 'string' ? [[...prefix, key]] : pathsOf(value, [...prefix, key])));
const keysOf = (tree: Tree): string[] => pathsOf(tree).map((path) => JSON.stringify(path));

/** The node at `a.b.c`, or at a path from keysOf. */
const valueAt = (tree: Tree, path: string): unknown =>
  (path.startsWith('[') ? (JSON.parse(path) as string[]) : path.split('.')).reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Tree)[key] : undefined), tree);

const [first, ...others] = ADMIN_LANGUAGES;
const tree = (language: string) => ADMIN_TRANSLATIONS[language as keyof typeof ADMIN_TRANSLATIONS] as unknown as Tree;

/** `{{name}}` placeholders of a text, sorted. */
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map(([, name]) => name).sort();

/** Issue 14: the back office in zh-CN and en, with no text missing in either. */
describe('the admin translations', () => {
  it.each(others)(`%s has exactly the keys of ${first}, each a non-empty text with the same placeholders`, (language) => {
    const base = keysOf(tree(first));
    const other = keysOf(tree(language));
    expect(other.filter((key) => !base.includes(key))).toEqual([]);
    expect(base.filter((key) => !other.includes(key))).toEqual([]);
    for (const key of base) {
      const text = valueAt(tree(language), key) as string;
      expect({ key, empty: text.trim() === '' }).toEqual({ key, empty: false });
      expect({ key, placeholders: placeholders(text) }).toEqual({ key, placeholders: placeholders(valueAt(tree(first), key) as string) });
    }
  });

  it.each(ADMIN_LANGUAGES)('%s names every stored code the admin shows (statuses, flags, carriers, case kinds, roles, ...)', (language) => {
    const missing = Object.entries(ENUM_VALUES).flatMap(([group, codes]) =>
      codes.filter((code) => typeof valueAt(tree(language), `enums.${group}`) !== 'object' || typeof (valueAt(tree(language), `enums.${group}`) as Tree)[code] !== 'string').map((code) => `${group}.${code}`),
    );
    expect(missing).toEqual([]);
    // and no word for a code that does not exist (a renamed status would otherwise keep a stale word)
    const stale = Object.entries(tree(language).enums as Tree).flatMap(([group, words]) =>
      Object.keys(words).filter((code) => !(ENUM_VALUES[group as EnumGroup] ?? []).includes(code)).map((code) => `${group}.${code}`),
    );
    expect(stale).toEqual([]);
  });

  it('uses the words Chinese order desks know', () => {
    const zh = ADMIN_TRANSLATIONS['zh-CN'].enums;
    expect(zh.orderStatus).toMatchObject({ pending_review: '待审核', pending_payment: '待付款', awaiting_shipment: '待发货', shipped: '已发货', exception: '异常', cancelled: '已取消' });
    expect(zh.carrier).toEqual({ sf: '顺丰速运', zto: '中通快递', yto: '圆通速递', sto: '申通快递', yunda: '韵达快递', jd: '京东物流', ems: 'EMS' });
    expect(zh.flag.purchase_limit_exceeded).toBe('超出限购数量');
  });

  it('shows no requirement ids (G2.2, G3.1, ...) in any text', () => {
    for (const language of ADMIN_LANGUAGES) {
      const withIds = keysOf(tree(language)).filter((key) => /\bG\d\.\d/.test(valueAt(tree(language), key) as string));
      expect(withIds).toEqual([]);
    }
  });

  it('gives every enum property of a resource its words as AdminJS looks them up (resources.<R>.labels.<property>.<code>)', () => {
    for (const language of ADMIN_LANGUAGES) {
      const translations = adminLocale(language).translations![language] as unknown as Tree;
      for (const [resource, properties] of Object.entries(ENUM_PROPERTIES)) {
        for (const [property, group] of Object.entries(properties)) {
          for (const code of ENUM_VALUES[group]) {
            const word = valueAt(translations, `resources.${resource}.labels.${property}`) as Tree | undefined;
            expect({ at: `${resource}.${property}.${code}`, word: typeof word?.[code] }).toEqual({ at: `${resource}.${property}.${code}`, word: 'string' });
          }
        }
      }
    }
  });

  it('titles a list page with what it lists and, in Chinese, a record page with what it is', () => {
    const zh = adminLocale('zh-CN').translations!['zh-CN'] as unknown as Tree;
    const en = adminLocale('en').translations!.en as unknown as Tree;
    expect([valueAt(zh, 'resources.Order.actions.list'), valueAt(zh, 'resources.PickList.actions.show')]).toEqual(['订单', '拣货单详情']);
    expect([valueAt(en, 'resources.Order.actions.list'), valueAt(en, 'resources.PickList.actions.show')]).toEqual(['Orders', undefined]);
  });

  it('colours every order, shipment and case status by its meaning', () => {
    for (const group of ['orderStatus', 'shipmentStatus', 'caseStatus'] as const) {
      expect(ENUM_VALUES[group].filter((code) => !STATUS_TONES[group]?.[code])).toEqual([]);
    }
    expect(STATUS_TONES.orderStatus).toMatchObject({ exception: 'problem', cancelled: 'ended', awaiting_shipment: 'waiting' });
  });

  it('has every key the admin components and resources ask for', () => {
    const dir = join(projectRoot(), 'src', 'admin');
    const read = (folder: string) => readdirSync(join(dir, folder)).filter((file) => /\.tsx?$/.test(file)).map((file) => readFileSync(join(dir, folder, file), 'utf8'));
    const components = read('components').join('\n');
    // t('key') and the keys of a t(condition ? 'a' : 'b') in our components: ui.<key> (or AdminJS's messages.<key>, or a whole path)
    const uiKeys = [...components.matchAll(/\bt\(([^()]*?)[,)]/g)].flatMap(([, inside]) => [...inside.matchAll(/(?<!=== )'([A-Za-z][\w.]*)'/g)].map(([, key]) => key));
    // label('group', ...) and <StatusBadge group="...">
    const groups = [...components.matchAll(/\blabel\('(\w+)'/g), ...components.matchAll(/group="(\w+)"/g)].map(([, group]) => group);
    // descriptions and confirmations of resources and actions are message keys (AdminJS translates them with tm)
    const resources = [...read('resources'), ...read('actions')].join('\n');
    const messageKeys = [...resources.matchAll(/\b(?:description|guard): '(\w+)'/g)].map(([, key]) => key);
    expect(uiKeys.length).toBeGreaterThan(100);
    for (const language of ADMIN_LANGUAGES) {
      const texts = tree(language);
      // i18n.t('ui.x') names the whole path
      expect(uiKeys.filter((key) => typeof valueAt(texts, `ui.${key}`) !== 'string' && typeof valueAt(texts, `messages.${key}`) !== 'string' && valueAt(texts, key) === undefined)).toEqual([]);
      expect(groups.filter((group) => typeof valueAt(texts, `enums.${group}`) !== 'object')).toEqual([]);
      expect(messageKeys.filter((key) => typeof valueAt(texts, `messages.${key}`) !== 'string')).toEqual([]);
    }
  });

  it('has a Chinese text for every fixed text of the action forms, and patterns for those with a number in them', () => {
    const dir = join(projectRoot(), 'src', 'admin', 'actions');
    const sources = readdirSync(dir).map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
    const fixed = [...sources.matchAll(/\b(?:label|title|intro|help|submitLabel|blocked|verb): '([^']+)'/g), ...sources.matchAll(/intro: \(\) => '([^']+)'/g)].map(([, text]) => text);
    expect(fixed.length).toBeGreaterThan(60);
    expect([...new Set(fixed)].filter((text) => translateFormText(text, 'zh-CN') === text)).toEqual([]);
    expect(Object.keys(FORM_TEXTS_ZH).filter((text) => !fixed.includes(text) && !/^(Approve|Reject|Receive|Record QC|Refund|Close)$/.test(text))).toEqual([]);
    expect(translateFormText('Amend order SO20261207-0001', 'zh-CN')).toBe('修改订单 SO20261207-0001');
    expect(translateFormText('Order SO1 rejected; it is now exception', 'zh-CN')).toBe('订单 SO1 已驳回，当前状态：异常');
    expect(translateFormText('Order SO1 shipped with sf SF123456; it is now shipped', 'zh-CN')).toBe('订单 SO1 已由顺丰速运发出（单号 SF123456），当前状态：已发货');
    expect(translateFormText('Amend order SO1', 'en')).toBe('Amend order SO1');
    const form = translateForm(
      { title: 'Ship order SO1', sections: [{ title: 'Lines', fields: [{ name: 'lines', label: 'Lines', kind: 'rows', columns: [{ name: 'sku', label: 'SKU', kind: 'text' }] }] }], values: {}, submitLabel: 'Confirm shipment' },
      'zh-CN',
    );
    expect(form).toMatchObject({ title: '订单 SO1 发货', submitLabel: '确认发货', sections: [{ title: '商品明细', fields: [{ label: '商品明细', columns: [{ label: '商品编码' }] }] }] });
  });

  it('fills placeholders as i18next does', () => {
    expect(interpolate('共 {{total}} 单', { total: 3 })).toBe('共 3 单');
    expect(interpolate('{{a}} {{ b }} {{c}}', { a: 'x', b: 1 })).toBe('x 1 {{c}}');
  });
});
