/**
 * @module i18n
 * The portal's words, Korean first and English (`?lang=en`). The demo relying parties' and
 * agencies' own names come from the registries, not from here.
 */

/** The two languages. */
export type Lang = 'ko' | 'en';

const KO = {
  title: 'OpenMID 모바일 신분증 체험',
  skip: '본문으로 건너뛰기',
  otherLang: 'English',
  home: '처음으로',
  intro:
    '정부 기관이 모바일 신분증을 발급하고, 시민은 휴대전화 지갑에 보관하며, 은행·편의점·경찰은 필요한 정보만 확인합니다. 모든 화면은 실제 표준(OpenID4VCI, OpenID4VP, SD-JWT VC)으로 동작합니다.',
  step1: '1. 시민 지갑 열기',
  step1Body: '휴대전화(또는 다른 창)에서 지갑을 열고 6자리 비밀번호를 만드세요.',
  openWallet: '시민 지갑 열기',
  step2: '2. 기관 콘솔에서 신분증 발급',
  step2Body: '데모 시민에게 발급 QR 코드와 인증번호를 만들고, 지갑으로 스캔합니다.',
  openConsole: '기관 콘솔 열기',
  step3: '3. 확인하는 곳에서 신분증 제출',
  step3Body:
    '각 기관이 보여 주는 QR 코드를 지갑으로 스캔하고, 동의 화면에서 제출할 정보를 고릅니다.',
  services: '서비스',
  consoleTitle: '발급 기관 콘솔',
  consoleIntro: '개발용 데모 콘솔입니다. 관리자 키는 서버에서만 쓰이고 브라우저로 보내지 않습니다.',
  offerTitle: '신분증 발급 (발급 QR 만들기)',
  citizen: '데모 시민',
  credentialType: '신분증 종류',
  copies: '사본 수 (연결 방지용)',
  createOffer: '발급 QR 만들기',
  offerReady: '발급 QR 코드',
  offerQrAlt: '신분증 발급 QR 코드',
  txCode: '인증번호 (안내문·문자로 따로 전달)',
  offerLink: '발급 링크',
  openOnThisDevice: '이 기기의 지갑에서 열기',
  manageTitle: '발급된 신분증 관리',
  show: '조회',
  credential: '신분증',
  status: '상태',
  device: '기기',
  issuedAt: '발급',
  actions: '조치',
  revoke: '폐기',
  suspend: '정지',
  reinstate: '정지 해제',
  suspendDevice: '이 기기 전체 정지',
  lostPhone: '휴대전화 분실 신고',
  lostDone: '분실 신고 완료: {n}건 정지, 새 휴대전화용 재발급 QR',
  changed: '처리했습니다: {what}',
  noCredentials: '발급된 신분증이 없습니다.',
  rpTitle: '신분증 확인',
  rpRegistered: '등록된 요청 범위',
  rpPurpose: '목적',
  rpLegalBasis: '주민등록번호 처리 근거',
  none: '없음',
  askButton: '요청 만들기',
  scanThis: '지갑으로 이 QR 코드를 스캔하세요',
  requestQrAlt: '신분증 제출 요청 QR 코드',
  sameDevice: '같은 기기의 지갑에서 열기',
  waiting: '지갑의 응답을 기다리는 중…',
  verified: '확인되었습니다',
  refused: '시민이 제출을 거절했습니다',
  expired: '요청 시간이 지났습니다',
  issuer: '발급 기관',
  overAskNote:
    '데모: 이 요청은 은행의 등록 범위를 넘어 얼굴 사진까지 요청합니다 (중간 등록소의 등록을 잠시 넓혀 서명만 받음). 지갑은 자신이 보관한 신뢰 목록과 비교해 경고를 보여 줍니다.',
  error: '오류',
  back: '뒤로',
  walletLink: '시민 지갑',
  consoleLink: '기관 콘솔',
  relyingParties: '확인하는 곳 (데모)',
} as const;

/** A key of the portal's strings. */
export type PortalStringKey = keyof typeof KO;

const EN: Readonly<Record<PortalStringKey, string>> = {
  title: 'OpenMID mobile ID demo',
  skip: 'Skip to content',
  otherLang: '한국어',
  home: 'Home',
  intro:
    'An agency issues a mobile ID, the citizen keeps it in a phone wallet, and a bank, a shop or the police check only what they need. Every screen runs the real standards (OpenID4VCI, OpenID4VP, SD-JWT VC).',
  step1: '1. Open the citizen wallet',
  step1Body: 'Open the wallet on a phone (or in another window) and create a 6-digit PIN.',
  openWallet: 'Open the citizen wallet',
  step2: '2. Issue a card in the agency console',
  step2Body: 'Make an issuance QR code and code for a demo citizen, and scan it with the wallet.',
  openConsole: 'Open the agency console',
  step3: '3. Show the card to a relying party',
  step3Body:
    'Scan the QR code a relying party shows with the wallet and choose what to share on the consent screen.',
  services: 'Services',
  consoleTitle: 'Issuing agency console',
  consoleIntro:
    'A development demo console. The admin keys are used on the server only and never sent to the browser.',
  offerTitle: 'Issue a card (make an issuance QR code)',
  citizen: 'Demo citizen',
  credentialType: 'Card type',
  copies: 'Copies (for unlinkability)',
  createOffer: 'Make the issuance QR code',
  offerReady: 'Issuance QR code',
  offerQrAlt: 'Card issuance QR code',
  txCode: 'Transaction code (sent separately: letter, SMS)',
  offerLink: 'Issuance link',
  openOnThisDevice: 'Open in the wallet on this device',
  manageTitle: 'Manage issued cards',
  show: 'Show',
  credential: 'Card',
  status: 'Status',
  device: 'Device',
  issuedAt: 'Issued',
  actions: 'Actions',
  revoke: 'Revoke',
  suspend: 'Suspend',
  reinstate: 'Reinstate',
  suspendDevice: 'Suspend this whole device',
  lostPhone: 'Report a lost phone',
  lostDone: 'Loss reported: {n} suspended; re-issuance QR codes for the new phone',
  changed: 'Done: {what}',
  noCredentials: 'No cards issued.',
  rpTitle: 'ID check',
  rpRegistered: 'Registered to ask for',
  rpPurpose: 'Purpose',
  rpLegalBasis: 'Legal basis for resident numbers',
  none: 'none',
  askButton: 'Make a request',
  scanThis: 'Scan this QR code with the wallet',
  requestQrAlt: 'ID request QR code',
  sameDevice: 'Open in the wallet on this device',
  waiting: 'Waiting for the wallet…',
  verified: 'Verified',
  refused: 'The citizen refused',
  expired: 'The request expired',
  issuer: 'Issuer',
  overAskNote:
    'Demo: this request asks for more than the bank is registered for (a face photo); the interim registry entry is widened only long enough to sign it. The wallet compares it with the trust list it holds and warns.',
  error: 'Error',
  back: 'Back',
  walletLink: 'Citizen wallet',
  consoleLink: 'Agency console',
  relyingParties: 'Relying parties (demo)',
};

const STRINGS: Readonly<Record<Lang, Readonly<Record<PortalStringKey, string>>>> = {
  ko: KO,
  en: EN,
};

/** The string `key` in `lang`, with `{name}` placeholders filled. */
export function tr(
  lang: Lang,
  key: PortalStringKey,
  values: Readonly<Record<string, string | number>> = {},
): string {
  return STRINGS[lang][key].replace(/\{([a-z]+)\}/g, (m, k: string) =>
    Object.hasOwn(values, k) ? String(values[k]) : m,
  );
}

/** The language of a request (`?lang=en`, Korean otherwise). */
export function langOf(query: string | undefined): Lang {
  return query === 'en' ? 'en' : 'ko';
}
