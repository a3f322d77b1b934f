/**
 * @module validators/address
 * 도로명주소 (road-name address, 도로명주소법; mandatory since 2014-01-01), DOMAIN.md §2.3:
 * `시·도 시·군·구 [읍·면] 도로명 건물번호[-부번][, 상세주소][(참고항목)]`, e.g.
 * `서울특별시 종로구 세종대로 209` or `울산광역시 울주군 온양읍 솔밭1길 12, 101동 1001호(○○아파트)`.
 *
 * The check is structural (a current 시·도 name, a road name ending in 대로/로/길, a building
 * number, bounded length): the registry of valid addresses is not part of the profile.
 */

/** One of the 17 first-level divisions, with its current official name. */
export interface Sido {
  /** Official name as written in addresses. */
  readonly name: string;
  /** Short name (used e.g. by the police agencies: 서울경찰청). */
  readonly short: string;
  /** English name. */
  readonly en: string;
}

/**
 * The 17 시·도 under their current names: 강원특별자치도 since 2023-06-11 and 전북특별자치도 since
 * 2024-01-18 replaced 강원도 and 전라북도 (DOMAIN.md §2.3). Old names are rejected: mobile
 * credentials carry the current registry address.
 */
export const SIDO: readonly Sido[] = Object.freeze([
  { name: '서울특별시', short: '서울', en: 'Seoul' },
  { name: '부산광역시', short: '부산', en: 'Busan' },
  { name: '대구광역시', short: '대구', en: 'Daegu' },
  { name: '인천광역시', short: '인천', en: 'Incheon' },
  { name: '광주광역시', short: '광주', en: 'Gwangju' },
  { name: '대전광역시', short: '대전', en: 'Daejeon' },
  { name: '울산광역시', short: '울산', en: 'Ulsan' },
  { name: '세종특별자치시', short: '세종', en: 'Sejong' },
  { name: '경기도', short: '경기', en: 'Gyeonggi-do' },
  { name: '강원특별자치도', short: '강원', en: 'Gangwon-do' },
  { name: '충청북도', short: '충북', en: 'Chungcheongbuk-do' },
  { name: '충청남도', short: '충남', en: 'Chungcheongnam-do' },
  { name: '전북특별자치도', short: '전북', en: 'Jeonbuk-do' },
  { name: '전라남도', short: '전남', en: 'Jeollanam-do' },
  { name: '경상북도', short: '경북', en: 'Gyeongsangbuk-do' },
  { name: '경상남도', short: '경남', en: 'Gyeongsangnam-do' },
  { name: '제주특별자치도', short: '제주', en: 'Jeju-do' },
]);

/** Longest address accepted (characters). */
export const MAX_ADDRESS_LENGTH = 200;

const SIDO_NAMES: ReadonlySet<string> = new Set(SIDO.map((s) => s.name));
const BUILDING_NUMBER = /^[1-9]\d{0,4}(?:-[1-9]\d{0,4})?$/;
const ROAD = /^[0-9가-힣·.]+(?:로|길)$/;
const TOKEN = /^[0-9가-힣·.]+$/;

/** The 시·도 an address starts with, or `undefined`. */
export function sidoOf(address: string): Sido | undefined {
  if (typeof address !== 'string') return undefined;
  const first = address.slice(0, address.indexOf(' '));
  return SIDO.find((s) => s.name === first);
}

/**
 * True when `address` has the road-name address structure: a current 시·도, 0–3 further
 * divisions (시·군·구, 구, 읍·면), a road name ending in 로 or 길 (대로 included), an optional
 * `지하`, a building number `N[-M]`, then optionally `, 상세주소` and `(참고항목)`.
 *
 * @see DOMAIN.md §2.3
 */
export function isRoadNameAddress(address: unknown): boolean {
  if (typeof address !== 'string' || address.length > MAX_ADDRESS_LENGTH) return false;
  if (address.trim() !== address || address.includes('  ')) return false;
  // The reference item `(…)` and the detail after the first comma are free text.
  let main = address;
  const comma = main.indexOf(',');
  if (comma >= 0) {
    const rest = main.slice(comma + 1);
    if (!/^ \S/.test(rest)) return false;
    main = main.slice(0, comma);
  } else {
    const paren = main.indexOf('(');
    if (paren >= 0) {
      if (!main.endsWith(')')) return false;
      // The reference item may follow the number directly or after one space.
      main = main.slice(0, main[paren - 1] === ' ' ? paren - 1 : paren);
    }
  }
  const tokens = main.split(' ');
  if (tokens.length < 3 || tokens.length > 7) return false;
  if (!SIDO_NAMES.has(tokens[0] as string)) return false;
  const number = tokens[tokens.length - 1] as string;
  if (!BUILDING_NUMBER.test(number)) return false;
  let roadAt = tokens.length - 2;
  if (tokens[roadAt] === '지하') roadAt -= 1;
  if (roadAt < 1 || !ROAD.test(tokens[roadAt] as string)) return false;
  for (let i = 1; i < roadAt; i++) if (!TOKEN.test(tokens[i] as string)) return false;
  return roadAt - 1 <= 3;
}
