// The pages' words in both languages: every string the HTML shows, in Simplified Chinese (the default)
// and English, looked up by a key (templates use the key as {{T_key}}), plus the few things that are
// not plain strings: dates in each language's official form (2019年1月21日; 21 January 2019), a
// publicity window (2019年1月21日至1月25日), and the engine's English field messages put into Chinese.
// Names that are data (states, actions, categories, jurisdictions) come from workflows/ in both
// languages and are not here.
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace laurel::web {

enum class Lang { zh, en };

// "zh" / "zh-CN" / "en" (case-insensitive); nullopt for anything else.
std::optional<Lang> parse_lang(std::string_view s);
// The value of <html lang>: "zh-CN" or "en".
std::string_view html_lang(Lang lang);
// The cookie value: "zh" or "en".
std::string_view lang_cookie_value(Lang lang);

struct Text {
  std::string_view key;
  std::string_view zh;
  std::string_view en;
};

// Every text, in table order.
std::span<const Text> texts();
// The text for `key`; the key itself when it is missing (a test checks that none is).
std::string_view tr(Lang lang, std::string_view key);
// tr() with "{0}", "{1}", … replaced by the arguments, in order.
std::string trf(Lang lang, std::string_view key, std::initializer_list<std::string_view> args);

// 2019年1月21日 | 21 January 2019
std::string date_text(Lang lang, std::chrono::sys_days day);
// 2019年1月21日至1月25日 (the year once when both lie in it) | 21 to 25 January 2019
std::string date_range_text(Lang lang, std::chrono::sys_days from, std::chrono::sys_days to);
// The engine's field messages ("required", "longer than 50 characters", …) in the page's language;
// an unknown message is returned as it is.
std::string field_message(Lang lang, std::string_view message);

}  // namespace laurel::web
