/**
 * Which language a message is written in, told well enough to know when the English-only rules
 * should not try. A small heuristic, not a classifier: the script first (kana means Japanese, other
 * non-Latin scripts are "other"), then, for Latin text, which language's most common function words
 * it uses. Short or mixed messages ("ok", "danke!", a URL) are `unknown` and never count against
 * English. Code, links, mentions and emoji codes are ignored.
 */

export type Language = 'en' | 'de' | 'fr' | 'es' | 'nl' | 'ja' | 'zh' | 'ko' | 'other' | 'unknown';

export const LANGUAGE_NAMES: Record<Exclude<Language, 'en' | 'unknown'>, string> = {
  de: 'German',
  fr: 'French',
  es: 'Spanish',
  nl: 'Dutch',
  ja: 'Japanese',
  zh: 'Chinese',
  ko: 'Korean',
  other: 'another language',
};

// The most frequent function words of each language, minus those shared with English spelling
// ("in", "a", "so", "was", "die" …) which would tell nothing.
const FUNCTION_WORDS: Record<'en' | 'de' | 'fr' | 'es' | 'nl', ReadonlySet<string>> = {
  en: new Set(
    'the and is are to of for you we it this that with be on not can will should have has was what if just but my your our they there do does need please'.split(
      ' ',
    ),
  ),
  de: new Set(
    'der das und ist nicht ich wir du sie mit für auf ein eine einen dem den des zu auch noch bitte kann können wird werden haben hat bis schon oder aber wenn dass mal gleich sollten müssen'.split(
      ' ',
    ),
  ),
  fr: new Set(
    'le la les et est une des du pour pas nous vous je il elle que qui avec sur dans mais ou sont peux merci'.split(
      ' ',
    ),
  ),
  es: new Set(
    'el la los las y es una por para con que del pero como está son puedes gracias también esto'.split(' '),
  ),
  nl: new Set(
    'het een en is niet ik wij jij je met voor op ook nog maar dat dit zijn kan kunnen bedankt'.split(' '),
  ),
};

const NOISE = /<[^>]*>|https?:\/\/\S+|`[^`]*`|:[a-z0-9_+-]+:|@\S+/gi;

/** Fewer function words than this and a Latin-script text is `unknown`. */
const MIN_FUNCTION_WORDS = 2;

export function detectLanguage(text: string): Language {
  const clean = text.replace(NOISE, ' ');
  const letters = clean.match(/\p{L}/gu)?.length ?? 0;
  if (letters === 0) return 'unknown';

  const kana = clean.match(/[\p{Script=Hiragana}\p{Script=Katakana}]/gu)?.length ?? 0;
  const han = clean.match(/\p{Script=Han}/gu)?.length ?? 0;
  const hangul = clean.match(/\p{Script=Hangul}/gu)?.length ?? 0;
  const latin = clean.match(/\p{Script=Latin}/gu)?.length ?? 0;
  const nonLatin = letters - latin;
  if (nonLatin / letters >= 0.3) {
    if (kana > 0) return 'ja';
    if (hangul > 0) return 'ko';
    if (han > 0) return 'zh';
    return 'other';
  }

  const words = clean.toLowerCase().match(/\p{L}+/gu) ?? [];
  const counts = { en: 0, de: 0, fr: 0, es: 0, nl: 0 };
  for (const w of words) {
    for (const lang of Object.keys(counts) as Array<keyof typeof counts>) {
      if (FUNCTION_WORDS[lang].has(w)) counts[lang]++;
    }
  }
  // Umlauts and ß are strong evidence of German in an otherwise ambiguous sentence.
  if (/[äöüß]/i.test(clean)) counts.de += 1;
  const ranked = (Object.entries(counts) as Array<[keyof typeof counts, number]>).sort((a, b) => b[1] - a[1]);
  const [best, bestCount] = ranked[0]!;
  if (bestCount < MIN_FUNCTION_WORDS) return 'unknown';
  if (best !== 'en' && counts.en >= bestCount) return 'en';
  return best;
}

export interface ThreadLanguage {
  /** The most common language among the messages whose language could be told. */
  main: Language;
  /** Indexes of messages in a language other than English. */
  foreign: Set<number>;
}

/** Per message, and for the thread: English unless most of the decidable text is something else. */
export function detectThreadLanguage(texts: readonly string[]): ThreadLanguage {
  const weights = new Map<Language, number>();
  const foreign = new Set<number>();
  texts.forEach((text, i) => {
    const lang = detectLanguage(text);
    if (lang === 'unknown') return;
    if (lang !== 'en') foreign.add(i);
    weights.set(lang, (weights.get(lang) ?? 0) + text.length);
  });
  let main: Language = 'unknown';
  let best = 0;
  for (const [lang, weight] of weights) {
    if (weight > best || (weight === best && lang === 'en')) {
      main = lang;
      best = weight;
    }
  }
  return { main, foreign };
}
