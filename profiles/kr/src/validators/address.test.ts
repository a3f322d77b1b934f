import { describe, expect, test } from 'vitest';
import { isRoadNameAddress, SIDO, sidoOf } from './address.js';

describe('isRoadNameAddress (DOMAIN.md §2.3)', () => {
  test.each([
    '서울특별시 종로구 세종대로 209',
    '울산광역시 울주군 온양읍 솔밭1길 12, 101동 1001호(○○아파트)',
    '세종특별자치시 한누리대로 2130',
    '경기도 성남시 분당구 판교역로 235, 3층',
    '강원특별자치도 춘천시 퇴계로77번길 42',
    '전북특별자치도 전주시 완산구 효자로 225',
    '부산광역시 해운대구 센텀중앙로 79 (우동)',
    '서울특별시 중구 세종대로 지하 2',
    '서울특별시 강남구 테헤란로 152-1',
  ])('accepts %s', (address) => {
    expect(isRoadNameAddress(address)).toBe(true);
  });

  test.each([
    ['a former province name', '강원도 춘천시 퇴계로77번길 42'],
    ['a former province name (전라북도)', '전라북도 전주시 완산구 효자로 225'],
    ['a lot-number address', '서울특별시 종로구 세종로 1-68번지'],
    ['no building number', '서울특별시 종로구 세종대로'],
    ['no road', '서울특별시 종로구 209'],
    ['a building number 0', '서울특별시 종로구 세종대로 0'],
    ['no 시·도', '종로구 세종대로 209'],
    ['a double space', '서울특별시  종로구 세종대로 209'],
    ['a trailing space', '서울특별시 종로구 세종대로 209 '],
    ['Latin text', 'Seoul Jongno-gu Sejong-daero 209'],
    ['too long', `서울특별시 종로구 세종대로 209, ${'가'.repeat(200)}`],
    ['a non-string', 42],
  ])('rejects %s', (_name, address) => {
    expect(isRoadNameAddress(address)).toBe(false);
  });
});

describe('SIDO', () => {
  test('lists the 17 시·도 under their current names', () => {
    expect(SIDO).toHaveLength(17);
    const names = SIDO.map((s) => s.name);
    expect(names).toContain('강원특별자치도');
    expect(names).toContain('전북특별자치도');
    expect(names).not.toContain('강원도');
    expect(new Set(names).size).toBe(17);
  });

  test('sidoOf finds the first-level division of an address', () => {
    expect(sidoOf('제주특별자치도 제주시 문연로 6')?.en).toBe('Jeju-do');
    expect(sidoOf('nowhere 1')).toBeUndefined();
  });
});
