#pragma once
// Text helpers shared by the report writers (internal to src/report). Results carry text
// that came from a target under test: it may hold bytes that would break an XML file or
// drive a terminal, so every writer passes it through one of these first.

#include <string>
#include <string_view>

namespace tollgate::report {

/// `text` made safe for an XML 1.0 document: characters XML 1.0 cannot carry (C0 controls
/// other than tab, newline and CR) and bytes that are not valid UTF-8 become "\xNN";
/// the non-characters U+FFFE and U+FFFF become U+FFFD. Valid UTF-8 passes unchanged.
std::string XmlSafe(std::string_view text);

/// `text` made safe to print on a terminal: every C0 control but newline and tab, and DEL,
/// become "\xNN", so a hostile response cannot move the cursor or recolour the output.
std::string TerminalSafe(std::string_view text);

/// `seconds` when it is finite and not negative, else 0 (a bad timing must not produce
/// "nan" or "-1.000", which the JUnit schema's time pattern refuses).
double SaneSeconds(double seconds);

/// `text` made safe inside HTML text and quoted attributes: XmlSafe, then & < > " '
/// as entities.
std::string HtmlEscape(std::string_view text);

/// The text before the first newline.
std::string_view FirstLine(std::string_view text);

}  // namespace tollgate::report
