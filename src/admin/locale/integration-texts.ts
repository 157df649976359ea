import type { AdminLanguage } from './index';

/**
 * The connectors' refusals and credentials-check results (src/integrations, in English for the API) in Chinese for the
 * admin's 对接管理 page (issue 15 item 6). refusals.ts takes the patterns below into its lists; the test results are
 * translated by the page handler. A text no pattern knows stays as the service wrote it.
 */
type Pattern = [RegExp, (match: RegExpMatchArray) => string];

/** A field's problem (the service's and the DTO's validation details). */
export const INTEGRATION_FIELD_PROBLEMS_ZH: Pattern[] = [
  [/^is required for a \w+ connector(?: \(a non-empty string\))?$/, () => '必填'],
  [/^must be a non-empty string$/, () => '不能为空'],
  [/^must be 1-40 letters, digits, _ or - \(.*\)$/, () => '须为 1-40 位英文字母、数字、_ 或 -（名称即该对接带入订单的渠道）'],
  [/^must be the shop's domain, like (\S+)$/, ([, example]) => `须为店铺域名，如 ${example}`],
  [/^must be an http:\/\/ or https:\/\/ URL, without \? or #$/, () => '须为 http:// 或 https:// 开头的网址，不含 ? 或 #'],
  [/^must be a Shopify API version like (\S+)$/, ([, example]) => `须为 Shopify API 版本，如 ${example}`],
  [/^must be the store's http:\/\/ or https:\/\/ address, like (\S+)$/, ([, example]) => `须为店铺网址（http:// 或 https://），如 ${example}`],
  [/^must be the 32-character APIv3 key$/, () => '须为 32 位的 APIv3 密钥'],
  [/^must be the WeChat Pay platform certificate or public key, PEM$/, () => '须为微信支付平台证书或微信支付公钥（PEM 格式）'],
  [/^must be an object$/, () => '页面提交的内容有误，请刷新后重试'],
];

/** A refusal of the whole operation (409, 404) on a connector or a delivery. */
export const INTEGRATION_REFUSALS_ZH: Pattern[] = [
  [/^A connector named (\S+) already exists.*$/, ([, name]) => `已有名为 ${name} 的对接（名称即订单渠道，不能重复）`],
  [/^Orders came in under the channel (\S+); .*$/, ([, name]) => `已有订单使用渠道 ${name}，此对接不能改名；如需新名称请新建对接`],
  [/^The secrets of connector (\S+) cannot be read: .*$/, ([, name]) => `对接 ${name} 的密钥无法读取（加密密钥 INTEGRATIONS_KEY 已更换），请重新填写密钥`],
  [/^Delivery (\S+) was rejected .*$/, ([, id]) => `推送 ${id} 已被拒收（签名或内容不合格），不能重新处理，请让平台重新推送`],
  [/^Delivery (\S+) is \w+ already; .*$/, ([, id]) => `推送 ${id} 已处理成功，无需重新处理`],
  [/^Delivery (\S+)'s body is no longer kept \(at most (\d+) days\); .*$/, ([, id, days]) => `推送 ${id} 的内容已超过 ${days} 天保留期被删除，请让平台重新推送`],
  [/^The connector (\S+) is paused; resume it .*$/, ([, name]) => `对接 ${name} 已暂停，请先恢复再重新处理`],
  [/^Deliveries of \w+ connectors are not replayed here; .*$/, () => '此类对接的推送不在这里重新处理，平台会自动重发'],
  [/^The connector (\S+) does not take a replay now .*$/, ([, name]) => `对接 ${name} 当前不能重新处理推送（已暂停或不支持）`],
  [/^Connector (\S+) was not found$/, ([, id]) => `未找到对接 ${id}（可能已被删除）`],
  [/^Delivery (\S+) was not found$/, ([, id]) => `未找到推送记录 ${id}`],
];

/** What `POST /api/integrations/{id}/test` answered. */
const TEST_RESULTS_ZH: Pattern[] = [
  [/^Connected to (.+)$/, ([, shop]) => `连接成功：${shop}`],
  [/^Shopify refused the access token \(HTTP (\d+)\)$/, ([, status]) => `Shopify 拒绝了 Admin API 访问令牌（HTTP ${status}），请检查令牌是否正确、是否已撤销`],
  [/^Shopify answered HTTP (\d+) for (.+)$/, ([, status, url]) => `Shopify 返回 HTTP ${status}（${url}），请检查店铺域名和 API 版本`],
  [/^(\S+) could not be reached: (.+)$/, ([, base, reason]) => `无法连接 ${base}：${reason}`],
  [/^settings\.shopDomain is not set.*$/, () => '未填写店铺域名，无法调用 Admin API（Webhook 签名密钥会在每次推送时校验）'],
  [/^secrets\.accessToken is not set.*$/, () => '未填写 Admin API 访问令牌，无法检测'],
  [/^No credentials check for (\w+) connectors yet.*$/, () => '此类对接暂不支持在线检测：平台向推送地址发送一次推送即可检验密钥'],
];

const firstMatch = (patterns: Pattern[], message: string): string | undefined => {
  for (const [pattern, render] of patterns) {
    const match = message.match(pattern);
    if (match) return render(match);
  }
  return undefined;
};

export function translateIntegrationTest(message: string, language: AdminLanguage): string {
  return language === 'en' ? message : (firstMatch(TEST_RESULTS_ZH, message) ?? message);
}
