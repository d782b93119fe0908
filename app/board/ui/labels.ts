/** Message keys for the codes the board shows (stages, levels, channels, tactics, sources), with raw fallbacks. */
import { isMessageKey, type MessageKey } from "../../i18n/messages";
import type { MessageValues } from "../../i18n/translate";
import type { Level, StageNumber } from "../../domain/stages";

type T = (key: MessageKey, values?: MessageValues) => string;

/** The label for `prefix.code` when the app has one, else the code itself (e.g. a channel newer than the app). */
export function labelFor(t: T, prefix: string, code: string | null | undefined): string {
  if (!code) return "";
  const key = `${prefix}.${code}`;
  return isMessageKey(key) ? t(key) : code;
}

export function levelLabel(t: T, level: Level | string): string {
  return level === "world" ? t("level.world") : labelFor(t, "stage", level);
}

export function stageName(t: T, stage: { source: string; target: string }): string {
  return t("board.stageName", { source: levelLabel(t, stage.source), target: levelLabel(t, stage.target) });
}

export function stageTitle(t: T, stage: { number: StageNumber; source: string; target: string }): string {
  return t("board.stageTitle", { number: stage.number, name: stageName(t, stage) });
}
