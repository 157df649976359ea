/**
 * Mainland China's 31 province-level divisions: names as addresses write them, and where their capitals are, so that
 * the delivery area (G1.2) and the nearest-warehouse allocation (G1.3) read addresses the same way.
 */
export const MAINLAND_PROVINCES = [
  '北京', '天津', '上海', '重庆', '河北', '山西', '辽宁', '吉林', '黑龙江', '江苏', '浙江', '安徽', '福建', '江西', '山东', '河南',
  '湖北', '湖南', '广东', '海南', '四川', '贵州', '云南', '陕西', '甘肃', '青海', '内蒙古', '广西', '西藏', '宁夏', '新疆',
] as const;
export type MainlandProvince = (typeof MAINLAND_PROVINCES)[number];

const PINYIN: Record<string, MainlandProvince> = {
  beijing: '北京', tianjin: '天津', shanghai: '上海', chongqing: '重庆', hebei: '河北', shanxi: '山西', liaoning: '辽宁', jilin: '吉林',
  heilongjiang: '黑龙江', jiangsu: '江苏', zhejiang: '浙江', anhui: '安徽', fujian: '福建', jiangxi: '江西', shandong: '山东', henan: '河南',
  hubei: '湖北', hunan: '湖南', guangdong: '广东', hainan: '海南', sichuan: '四川', guizhou: '贵州', yunnan: '云南', shaanxi: '陕西',
  gansu: '甘肃', qinghai: '青海', 'inner mongolia': '内蒙古', neimenggu: '内蒙古', guangxi: '广西', tibet: '西藏', xizang: '西藏',
  ningxia: '宁夏', xinjiang: '新疆',
};

/** Latitude and longitude of each province's capital: the "province distance table" nearest-warehouse allocation uses. */
const CAPITALS: Record<MainlandProvince, readonly [number, number]> = {
  北京: [39.9, 116.41], 天津: [39.13, 117.2], 上海: [31.23, 121.47], 重庆: [29.56, 106.55], 河北: [38.04, 114.51], 山西: [37.87, 112.55],
  辽宁: [41.8, 123.43], 吉林: [43.82, 125.32], 黑龙江: [45.8, 126.53], 江苏: [32.06, 118.8], 浙江: [30.27, 120.16], 安徽: [31.82, 117.23],
  福建: [26.07, 119.3], 江西: [28.68, 115.86], 山东: [36.65, 117.12], 河南: [34.75, 113.63], 湖北: [30.59, 114.31], 湖南: [28.23, 112.94],
  广东: [23.13, 113.26], 海南: [20.04, 110.2], 四川: [30.57, 104.07], 贵州: [26.65, 106.63], 云南: [25.04, 102.71], 陕西: [34.34, 108.94],
  甘肃: [36.06, 103.83], 青海: [36.62, 101.78], 内蒙古: [40.84, 111.75], 广西: [22.82, 108.37], 西藏: [29.65, 91.13], 宁夏: [38.49, 106.23],
  新疆: [43.83, 87.62],
};

const CHINA = ['cn', 'chn', 'china', '中国', 'prc', "people's republic of china"];

/** The mainland province a place is in (Chinese or pinyin/English names), or null outside mainland China. */
export function mainlandProvinceOf(place: { province: string; country?: string }): MainlandProvince | null {
  const country = (place.country?.trim() || 'CN').toLowerCase(); // no country (or an empty one) means the shop's own
  if (!CHINA.includes(country)) return null;
  const province = (place.province ?? '').trim();
  const chinese = MAINLAND_PROVINCES.find((name) => province.startsWith(name));
  if (chinese) return chinese;
  // "Guangxi Zhuang Autonomous Region", "Xinjiang Uygur Autonomous Region", "Beijing City": official English names carry suffixes
  const latin = province
    .toLowerCase()
    .replace(/\s*(province|municipality|autonomous region|city|shi|sheng|zizhiqu)$/, '')
    .replace(/\s+(zhuang|hui|uygur|uyghur|uighur)$/, '')
    .trim();
  return PINYIN[latin] ?? null;
}

/** A city name without its 市 / "City" suffix, lower-cased, so 杭州市, 杭州 and "Hangzhou City" compare as far as they can. */
const cityKey = (city: string) => (city ?? '').trim().toLowerCase().replace(/(市|\s+city|\s+shi)$/, '');

/** Province-level cities: the province is the city. */
const MUNICIPALITIES: ReadonlySet<MainlandProvince> = new Set(['北京', '天津', '上海', '重庆']);

/** Nominal distance within one province but between cities: closer than any other province's capital in practice. */
export const SAME_PROVINCE_KM = 100;

/**
 * Road-free estimate of how far a parcel travels from a warehouse to a customer: 0 in the same city, SAME_PROVINCE_KM within a
 * province, else the great-circle distance between the two provinces' capitals. Null when either place is not in mainland China.
 */
export function distanceKm(from: { province: string; city: string }, to: { province: string; city: string; country?: string }): number | null {
  const a = mainlandProvinceOf(from);
  const b = mainlandProvinceOf(to);
  if (!a || !b) return null;
  if (a === b) return MUNICIPALITIES.has(a) || cityKey(from.city) === cityKey(to.city) ? 0 : SAME_PROVINCE_KM;
  const [lat1, lon1] = CAPITALS[a].map((degrees) => (degrees * Math.PI) / 180);
  const [lat2, lon2] = CAPITALS[b].map((degrees) => (degrees * Math.PI) / 180);
  const haversine = Math.sin((lat2 - lat1) / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin((lon2 - lon1) / 2) ** 2;
  return Math.round(2 * 6371 * Math.asin(Math.sqrt(haversine)));
}
