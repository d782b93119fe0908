/** Reading ICU messages' syntax trees for the i18n tests. */
import { TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";

/** Every argument of a message with how it is used: "plural" (a number choosing a form), "select", or "plain". */
export function argumentsOf(elements: MessageFormatElement[], found = new Map<string, string>()): Map<string, string> {
  for (const el of elements) {
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      found.set(el.value, el.type === TYPE.plural ? "plural" : "select");
      for (const option of Object.values(el.options)) argumentsOf(option.value, found);
    } else if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) {
      if (!found.has(el.value)) found.set(el.value, "plain");
    } else if (el.type === TYPE.tag) argumentsOf(el.children, found);
  }
  return found;
}

/** The plural elements of a message with the forms each one spells out. */
export function pluralsOf(elements: MessageFormatElement[]): string[][] {
  return elements.flatMap((el) =>
    el.type === TYPE.plural
      ? [Object.keys(el.options), ...Object.values(el.options).flatMap((o) => pluralsOf(o.value))]
      : el.type === TYPE.select
        ? Object.values(el.options).flatMap((o) => pluralsOf(o.value))
        : [],
  );
}

/** The words a message shows, without its arguments: every branch of a plural or select, space-separated. */
export function literalText(elements: MessageFormatElement[]): string {
  return elements
    .map((el) =>
      el.type === TYPE.literal
        ? el.value
        : el.type === TYPE.plural || el.type === TYPE.select
          ? Object.values(el.options)
              .map((o) => literalText(o.value))
              .join(" ")
          : " ",
    )
    .join("");
}
