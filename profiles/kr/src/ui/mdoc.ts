/**
 * @module ui/mdoc
 * Words for the ISO/IEC 18013-5 mDL data elements (namespace `org.iso.18013.5.1`, §7.2.1) that the
 * Korean profile does not map to a licence claim: the wallet shows them by these labels when a
 * relying party or an in-person reader asks for them. The mapped elements (`name`, `rrn`,
 * `licence_classes`, `portrait`, `age_over_19`, …) take the profile's own claim labels. Elements
 * that are biometric data under PIPA art. 23 carry that sensitivity, so the wallet asks about them
 * separately, as it does for the portrait.
 */
import type { Labels, Sensitivity } from '../model.js';

/** An ISO element's label and, when not ordinary, its sensitivity. */
export interface MdocElementWords extends Labels {
  readonly sensitivity?: Sensitivity;
}

/** ISO mDL element identifier → words (Korean first). */
export const MDOC_ELEMENT_LABELS: Readonly<Record<string, MdocElementWords>> = Object.freeze({
  family_name: { ko: '성 (로마자)', en: 'Family name (Latin)' },
  given_name: { ko: '이름 (로마자)', en: 'Given name (Latin)' },
  family_name_national_character: { ko: '성 (한글)', en: 'Family name (Korean)' },
  given_name_national_character: { ko: '이름 (한글)', en: 'Given name (Korean)' },
  birth_date: { ko: '생년월일', en: 'Date of birth' },
  issue_date: { ko: '발급일', en: 'Date of issue' },
  expiry_date: { ko: '만료일', en: 'Date of expiry' },
  issuing_country: { ko: '발급 국가', en: 'Issuing country' },
  issuing_authority: { ko: '발급 기관', en: 'Issuing authority' },
  document_number: { ko: '면허 번호', en: 'Licence number' },
  driving_privileges: {
    ko: '운전 가능 차종 (국제 분류)',
    en: 'Driving privileges (ISO categories)',
  },
  un_distinguishing_sign: { ko: '국가 식별 기호', en: 'UN distinguishing sign' },
  age_birth_year: { ko: '출생 연도', en: 'Year of birth' },
  age_in_years: { ko: '나이', en: 'Age in years' },
  age_over_18: { ko: '만 18세 이상 여부', en: '18 or older' },
  age_over_21: { ko: '만 21세 이상 여부', en: '21 or older' },
  sex: { ko: '성별', en: 'Sex' },
  nationality: { ko: '국적', en: 'Nationality' },
  resident_address: { ko: '주소', en: 'Address' },
  birth_place: { ko: '출생지', en: 'Place of birth' },
  administrative_number: { ko: '행정 번호', en: 'Administrative number' },
  portrait_capture_date: { ko: '사진 촬영일', en: 'Portrait capture date' },
  portrait_media_type: { ko: '사진 형식', en: 'Portrait format' },
  signature_usual_mark: { ko: '서명 이미지', en: 'Signature image', sensitivity: 'biometric' },
  height: { ko: '키', en: 'Height', sensitivity: 'health' },
  weight: { ko: '몸무게', en: 'Weight', sensitivity: 'health' },
  eye_colour: { ko: '눈동자 색', en: 'Eye colour' },
  hair_colour: { ko: '머리카락 색', en: 'Hair colour' },
});
