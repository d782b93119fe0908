import type { Locale } from "./locale";

const en = {
  "nav.board": "Stage board",
  "nav.customers": "Customers",
  "nav.campaigns": "Campaigns",
  "nav.settings": "Settings",
  "board.title": "Lifecycle stages",
  "board.noData": "No customers imported yet. The first import starts when the app is installed.",
  "board.customersAt": "{count} customers",
  "stage.visitor": "Visitors",
  "stage.enquirer": "Enquirers",
  "stage.first-time-buyer": "First-time buyers",
  "stage.repeat-buyer": "Repeat buyers",
  "stage.regular-buyer": "Regular buyers",
  "stage.lapsed": "Lapsed",
  "stage.returned": "Returned",
} as const;

export type MessageKey = keyof typeof en;

const ja: Record<MessageKey, string> = {
  "nav.board": "ステージボード",
  "nav.customers": "顧客",
  "nav.campaigns": "キャンペーン",
  "nav.settings": "設定",
  "board.title": "ライフサイクルステージ",
  "board.noData": "まだ顧客がインポートされていません。アプリのインストール時に最初のインポートが始まります。",
  "board.customersAt": "{count} 人の顧客",
  "stage.visitor": "訪問者",
  "stage.enquirer": "見込み客（メール購読者）",
  "stage.first-time-buyer": "初回購入者",
  "stage.repeat-buyer": "リピート購入者",
  "stage.regular-buyer": "常連購入者",
  "stage.lapsed": "休眠",
  "stage.returned": "復帰",
};

const nl: Record<MessageKey, string> = {
  "nav.board": "Fasebord",
  "nav.customers": "Klanten",
  "nav.campaigns": "Campagnes",
  "nav.settings": "Instellingen",
  "board.title": "Levenscyclusfasen",
  "board.noData": "Nog geen klanten geïmporteerd. De eerste import start bij de installatie van de app.",
  "board.customersAt": "{count} klanten",
  "stage.visitor": "Bezoekers",
  "stage.enquirer": "Geïnteresseerden (e-mailabonnees)",
  "stage.first-time-buyer": "Eerste kopers",
  "stage.repeat-buyer": "Herhaalkopers",
  "stage.regular-buyer": "Vaste kopers",
  "stage.lapsed": "Afgehaakt",
  "stage.returned": "Teruggekeerd",
};

export const messages: Record<Locale, Record<MessageKey, string>> = { en, ja, nl };
