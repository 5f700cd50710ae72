import type { MessageType } from '../../core/model.js';

/**
 * The words WhatsApp writes into an export, per language of the exporting phone: markers for media
 * left out or attached, deleted messages, and the system notices. All lower case (they are compared
 * with the text lowered), except `encryption`, which is compared as written, on bytes too (see
 * scan.ts). Gathered from real exports quoted in public issue threads and parsers, and checked
 * against each other; the iOS and Android wordings differ, and both are listed.
 */
export interface ExportLocale {
  /** Android `<Media omitted>`, without the angle brackets. */
  mediaOmitted: string[];
  /** iOS `image omitted` and friends, for each kind of media. */
  omitted: [MessageType, string[]][];
  /** Android `NAME (file attached)`: the words in brackets. */
  fileAttached: string[];
  /** `This message was deleted`, `You deleted this message` (a final "." is allowed too). */
  deleted: string[];
  /** Beginnings of the end-to-end encryption notice, as written (case kept). */
  encryption: string[];
  /** Words of the other system notices: created the group, added, left, changed the subject. */
  notices: string[];
  /** The word before a location link. */
  location: string[];
}

export const LANGUAGES = ['en', 'de', 'es', 'pt', 'fr', 'it', 'nl', 'tr', 'ru', 'id', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];

export const LOCALES: Record<Language, ExportLocale> = {
  en: {
    mediaOmitted: ['media omitted'],
    omitted: [
      ['image', ['image omitted']],
      ['video', ['video omitted', 'gif omitted']],
      ['audio', ['audio omitted']],
      ['sticker', ['sticker omitted']],
      ['document', ['document omitted']],
      ['contacts', ['contact card omitted']],
    ],
    fileAttached: ['file attached'],
    deleted: ['this message was deleted', 'you deleted this message'],
    encryption: [
      'Messages and calls are end-to-end encrypted',
      'Messages to this chat and calls are now secured with end-to-end encryption',
      'Messages to this group are now secured with end-to-end encryption',
    ],
    notices: [
      'created group',
      'created this group',
      ' added ',
      'you were added',
      ' left',
      'changed the subject',
      "changed this group's",
      'changed the group description',
      'joined using this group',
    ],
    location: ['location', 'live location shared'],
  },
  de: {
    mediaOmitted: ['medien ausgeschlossen'],
    omitted: [
      ['image', ['bild weggelassen']],
      ['video', ['video weggelassen', 'gif weggelassen']],
      ['audio', ['audio weggelassen']],
      ['sticker', ['sticker weggelassen']],
      ['document', ['dokument weggelassen']],
      ['contacts', ['kontaktkarte ausgelassen', 'kontaktkarte weggelassen']],
    ],
    fileAttached: ['datei angehängt'],
    deleted: ['diese nachricht wurde gelöscht', 'du hast diese nachricht gelöscht'],
    encryption: ['Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt'],
    notices: ['hat die gruppe', 'hinzugefügt', 'verlassen', 'hat den betreff', 'gruppenbeschreibung'],
    location: ['standort'],
  },
  es: {
    mediaOmitted: ['multimedia omitido', 'archivo omitido'],
    omitted: [
      ['image', ['imagen omitida']],
      ['video', ['video omitido', 'gif omitido']],
      ['audio', ['audio omitido']],
      ['sticker', ['sticker omitido']],
      ['document', ['documento omitido']],
      ['contacts', ['tarjeta de contacto omitida']],
    ],
    fileAttached: ['archivo adjunto'],
    deleted: ['se eliminó este mensaje', 'eliminaste este mensaje'],
    encryption: ['Los mensajes y las llamadas están cifrados de extremo a extremo'],
    notices: ['creó el grupo', 'añadió a', 'te añadió', 'salió del grupo', 'cambió el asunto', 'se unió'],
    location: ['ubicación'],
  },
  pt: {
    mediaOmitted: ['mídia oculta', 'arquivo de mídia oculto'],
    omitted: [
      ['image', ['imagem ocultada', 'imagem não revelada']],
      [
        'video',
        ['vídeo omitido', 'vídeo ocultado', 'vídeo não revelado', 'gif ocultado', 'gif não revelada'],
      ],
      ['audio', ['áudio ocultado', 'áudio omitido', 'ficheiro de áudio não revelado']],
      ['sticker', ['figurinha omitida', 'sticker não revelado']],
      ['document', ['documento ocultado', 'documento não revelado']],
      ['contacts', ['cartão de contato omitido', 'cartão do contato omitido', 'contacto não revelado']],
    ],
    fileAttached: ['arquivo anexado'],
    deleted: [
      'mensagem apagada',
      'essa mensagem foi apagada',
      'esta mensagem foi apagada',
      'você apagou esta mensagem',
      'apagou esta mensagem',
    ],
    encryption: [
      'As mensagens e as ligações são protegidas com a criptografia de ponta a ponta',
      'As mensagens e as chamadas são',
      'As mensagens e chamadas são',
    ],
    notices: [
      'criou o grupo',
      'adicionou',
      ' saiu',
      'mudou o assunto',
      'mudou o nome do grupo',
      'entrou usando',
    ],
    location: ['localização'],
  },
  fr: {
    mediaOmitted: ['médias omis', 'fichier omis'],
    omitted: [
      ['image', ['image omise', 'image absente']],
      ['video', ['vidéo omise', 'vidéo absente', 'gif omis', 'gif retiré']],
      ['audio', ['audio omis']],
      ['sticker', ['sticker omis', 'autocollant omis']],
      ['document', ['document omis', 'document manquant']],
      ['contacts', ['fiche contact omise', 'carte de contact omise', 'fiche contact manquante']],
    ],
    fileAttached: ['fichier joint'],
    deleted: ['ce message a été supprimé', 'vous avez supprimé ce message'],
    encryption: [
      'Les messages et les appels sont chiffrés de bout en bout',
      'Les messages envoyés dans cette discussion et les appels sont désormais protégés',
    ],
    notices: [
      'a créé le groupe',
      'a ajouté',
      'vous a ajouté',
      'est parti',
      'a quitté',
      'a changé le sujet',
      'a modifié le sujet',
    ],
    location: ['position'],
  },
  it: {
    mediaOmitted: ['media omessi', 'media omesso'],
    omitted: [
      ['image', ['immagine omessa']],
      ['video', ['video omesso', 'gif omessa', 'gif omesso', 'gif esclusa']],
      ['audio', ['audio omesso']],
      ['sticker', ['sticker omesso', 'sticker non incluso']],
      ['document', ['documento omesso']],
      ['contacts', ['scheda contatto omessa']],
    ],
    fileAttached: ['file allegato'],
    deleted: ['questo messaggio è stato eliminato', 'hai eliminato questo messaggio'],
    encryption: ['I messaggi e le chiamate sono crittografati end-to-end'],
    notices: [
      'ha creato il gruppo',
      'ha aggiunto',
      'ti ha aggiunto',
      'è uscito',
      'è uscita',
      "ha cambiato l'oggetto",
    ],
    location: ['posizione'],
  },
  nl: {
    mediaOmitted: ['media weggelaten'],
    omitted: [
      ['image', ['afbeelding weggelaten']],
      ['video', ['video weggelaten', 'gif weggelaten']],
      ['audio', ['audio weggelaten']],
      ['sticker', ['sticker weggelaten']],
      ['document', ['document weggelaten']],
      ['contacts', ['contactkaart weggelaten']],
    ],
    fileAttached: ['bestand bijgevoegd'],
    deleted: ['dit bericht is verwijderd', 'je hebt dit bericht verwijderd'],
    encryption: [
      'Berichten en oproepen zijn end-to-end versleuteld',
      'Berichten en oproepen worden end-to-end versleuteld',
    ],
    notices: [
      'heeft groep',
      'aangemaakt',
      'toegevoegd',
      'heeft de groep verlaten',
      'is vertrokken',
      'heeft het onderwerp',
    ],
    location: ['locatie'],
  },
  tr: {
    mediaOmitted: ['medya dahil edilmedi'],
    omitted: [
      ['image', ['görüntü dahil edilmedi']],
      ['video', ['video dahil edilmedi', 'gif dahil edilmedi']],
      ['audio', ['ses dahil edilmedi']],
      ['sticker', ['çıkartma dahil edilmedi']],
      ['document', ['belge dahil edilmedi']],
      ['contacts', ['kişi kartı dahil edilmedi']],
    ],
    fileAttached: ['dosya ekli'],
    deleted: ['bu mesaj silindi', 'bu mesajı sildiniz'],
    encryption: ['Mesajlar ve aramalar uçtan uca şifrelidir'],
    notices: ['grubunu oluşturdu', 'grubu oluşturdu', 'ekledi', 'ayrıldı', 'konuyu'],
    location: ['konum'],
  },
  ru: {
    mediaOmitted: ['без медиафайлов'],
    omitted: [
      ['image', ['изображение отсутствует']],
      ['video', ['видео отсутствует', 'gif отсутствует']],
      ['audio', ['аудио отсутствует']],
      ['sticker', ['стикер не добавлен', 'стикер отсутствует']],
      ['document', ['документ отсутствует']],
      ['contacts', ['карточка контакта отсутствует']],
    ],
    fileAttached: ['файл прикреплён', 'файл прикреплен'],
    deleted: [
      'данное сообщение удалено',
      'вы удалили данное сообщение',
      'это сообщение удалено',
      'вы удалили это сообщение',
    ],
    encryption: ['Сообщения и звонки защищены сквозным шифрованием'],
    notices: [
      'создал(а) группу',
      'создал группу',
      'создала группу',
      'добавил',
      'вышел',
      'вышла',
      'изменил(а) тему',
      'изменил тему',
    ],
    location: ['местоположение', 'геопозиция'],
  },
  id: {
    mediaOmitted: ['media tidak disertakan'],
    omitted: [
      ['image', ['gambar tidak disertakan']],
      ['video', ['video tidak disertakan', 'gif tidak disertakan']],
      ['audio', ['audio tidak disertakan']],
      ['sticker', ['stiker tidak disertakan']],
      ['document', ['dokumen tidak disertakan']],
      ['contacts', ['kartu kontak tidak disertakan']],
    ],
    fileAttached: ['file terlampir'],
    deleted: ['pesan ini telah dihapus', 'anda menghapus pesan ini'],
    encryption: ['Pesan dan panggilan terenkripsi secara end-to-end'],
    notices: ['membuat grup', 'menambahkan', ' keluar', 'mengubah subjek'],
    location: ['lokasi'],
  },
  ar: {
    mediaOmitted: ['تم استبعاد الوسائط'],
    omitted: [
      ['image', ['لم يتم إدراج الصورة']],
      ['video', ['لم يتم إدراج الفيديوهات', 'لم يتم إدراج الفيديو', 'لم يتم إدراج صورة gif']],
      ['audio', ['لم يتم إدراج المقاطع الصوتية']],
      ['sticker', ['تم حذف الملصقات']],
      ['document', ['لم يتم إدراج المستند']],
      ['contacts', ['لم يتم إدراج بطاقة جهة اتصال']],
    ],
    fileAttached: ['ملف مرفق', 'الملف مرفق'],
    deleted: ['تم حذف هذه الرسالة', 'لقد حذفت هذه الرسالة', 'حذفت هذه الرسالة'],
    encryption: ['الرسائل والمكالمات مشفرة'],
    notices: ['أنشأ', 'أضاف', 'غادر', 'غيّر', 'الموضوع'],
    location: ['الموقع'],
  },
};

/** Every encryption notice beginning, as written. */
export const ENCRYPTION_NOTICES: readonly string[] = LANGUAGES.flatMap((l) => LOCALES[l].encryption);

/** Whether a message's text is the end-to-end encryption notice, in any of the languages. */
export function isEncryptionNotice(text: string): boolean {
  for (const notice of ENCRYPTION_NOTICES) if (text.startsWith(notice)) return true;
  return false;
}

/** Whole-line phrases (markers, deleted) to their language; the first language listed wins. */
const PHRASES = new Map<string, Language>();
for (const language of LANGUAGES) {
  const locale = LOCALES[language];
  const phrases = [
    ...locale.mediaOmitted.map((p) => `<${p}>`),
    ...locale.omitted.flatMap(([, words]) => words),
    ...locale.deleted,
    ...locale.deleted.map((p) => `${p}.`),
  ];
  for (const phrase of phrases) if (!PHRASES.has(phrase)) PHRASES.set(phrase, language);
}

/**
 * The language a system notice or a marker is written in, if it is one of those known; undefined for
 * anything else. English is looked for first, so that a name holding a foreign word does not count.
 */
export function languageOf(firstLine: string): Language | undefined {
  const text = firstLine.trim();
  const lower = text.toLowerCase();
  const phrase = PHRASES.get(lower);
  if (phrase !== undefined) return phrase;
  for (const language of LANGUAGES) {
    const locale = LOCALES[language];
    if (locale.encryption.some((notice) => text.startsWith(notice))) return language;
    const open = lower.lastIndexOf(' (');
    if (open > 0 && locale.fileAttached.includes(lower.slice(open + 2, -1))) return language;
    if (locale.notices.some((words) => lower.includes(words))) return language;
  }
  return undefined;
}
