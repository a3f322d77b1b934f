/**
 * @module citizens/data/work
 * Employers, departments and ranks for public-servant and employee IDs. Company names are
 * synthetic (no real company); ministries are real names unaffected by the 2025 reorganisation.
 */

/** Central-government institutions (중앙행정기관). */
export const MINISTRIES: readonly string[] = [
  '행정안전부',
  '교육부',
  '외교부',
  '통일부',
  '법무부',
  '국방부',
  '문화체육관광부',
  '농림축산식품부',
  '보건복지부',
  '고용노동부',
  '국토교통부',
  '해양수산부',
  '중소벤처기업부',
  '국가보훈부',
  '인사혁신처',
  '법제처',
  '식품의약품안전처',
  '국세청',
  '관세청',
  '조달청',
  '경찰청',
  '소방청',
  '기상청',
];

/** Departments of a government office. */
export const GOV_DEPARTMENTS: readonly string[] = [
  '기획조정실',
  '운영지원과',
  '총무과',
  '민원봉사과',
  '디지털정부정책과',
  '재난안전관리과',
  '복지정책과',
  '세무과',
  '교통행정과',
  '건축과',
  '환경정책과',
  '인사과',
  '감사담당관실',
  '정보화담당관실',
  '예산담당관실',
  '주민자치과',
  '문화관광과',
  '일자리경제과',
];

/** 직급 of general administrative officials, with rough shares of the workforce. */
export const GRADES: readonly (readonly [string, number])[] = [
  ['행정서기보', 15],
  ['행정서기', 18],
  ['행정주사보', 25],
  ['행정주사', 25],
  ['행정사무관', 12],
  ['서기관', 4],
  ['부이사관', 1],
];

/** Stems of synthetic company names. */
export const COMPANY_STEMS: readonly string[] = [
  '한빛',
  '미래',
  '새솔',
  '푸른',
  '누리',
  '다온',
  '하나로',
  '동방',
  '태평양',
  '한결',
  '으뜸',
  '세움',
  '늘품',
  '가온',
  '라온',
  '별무리',
  '해오름',
  '온누리',
];

/** Business lines of synthetic companies. */
export const COMPANY_LINES: readonly string[] = [
  '전자',
  '정보통신',
  '건설',
  '물산',
  '제약',
  '식품',
  '물류',
  '금융',
  '에너지',
  '소프트',
  '바이오',
  '모빌리티',
  '화학',
  '디자인',
  '유통',
  '의료재단',
];

/** Departments of a company. */
export const COMPANY_DEPARTMENTS: readonly string[] = [
  '경영지원팀',
  '인사팀',
  '재무팀',
  '영업1팀',
  '영업2팀',
  '마케팅팀',
  '연구개발센터',
  '생산관리팀',
  '품질보증팀',
  '정보보안팀',
  '고객지원팀',
  '구매팀',
  '법무팀',
  '전략기획실',
];

/** Positions (직위) with the youngest typical age. */
export const POSITIONS: readonly (readonly [string, number])[] = [
  ['사원', 20],
  ['주임', 26],
  ['대리', 29],
  ['과장', 34],
  ['차장', 40],
  ['부장', 45],
  ['이사', 50],
];
