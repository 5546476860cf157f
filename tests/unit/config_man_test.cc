// The cairn.yaml(5) manual page is generated from the option table, with the
// words of docs/configuration.md. (The package test renders the installed
// page with man and lintian checks it.)
#include <gtest/gtest.h>

#include "config/config_man.h"
#include "config/options_table.h"

namespace cairn::config {
namespace {

TEST(ConfigMan, CodeSpansAreBoldAndSpecialCharactersEscaped) {
    EXPECT_EQ(roff_text("plain words"), "plain words");
    EXPECT_EQ(roff_text("see `cache-size` and `allow`."),
              "see \\fBcache\\-size\\fR and \\fBallow\\fR.");
    EXPECT_EQ(roff_text("a back\\slash"), "a back\\eslash");
    EXPECT_EQ(roff_text("RFC 9250 §4.1.1"), "RFC 9250 \\[u00A7]4.1.1");
    EXPECT_EQ(roff_text("an arrow → and ✓"), "an arrow \\[u2192] and \\[u2713]");
    // A line starting with '.' or '\'' would be a request.
    EXPECT_EQ(roff_text(".hidden"), "\\&.hidden");
    EXPECT_EQ(roff_text("'quoted'"), "\\&'quoted'");
    // A code span starting with a dot is safe: \fB comes first.
    EXPECT_EQ(roff_text("`.` alone"), "\\fB.\\fR alone");
    // An unmatched backtick is text.
    EXPECT_EQ(roff_text("odd ` tick"), "odd ` tick");
    // Broken UTF-8 stays readable.
    EXPECT_EQ(roff_text("bad \xC3 byte"), "bad ? byte");
}

TEST(ConfigMan, PageIsNamedForItsFile) {
    const std::string page = configuration_man_page("cairn 9.9.9");
    EXPECT_NE(page.find("\n.TH CAIRN.YAML 5 \"\" \"cairn 9.9.9\" \"File Formats Manual\"\n"),
              std::string::npos);
    // whatis (and lintian) read the NAME line.
    EXPECT_NE(page.find("\n.SH NAME\ncairn.yaml \\- "), std::string::npos);
    EXPECT_NE(page.find(".BR cairn (8),\n.BR cairnctl (8)\n"), std::string::npos);
}

TEST(ConfigMan, EveryOptionIsDocumentedWithItsDefault) {
    const std::string page = configuration_man_page("cairn");
    const Config defaults;
    for (const Option& entry : options()) {
        const std::string tag = ".TP\n" + roff_text("`" + std::string(entry.key) + "`") + "\n";
        const auto at = page.find(tag);
        ASSERT_NE(at, std::string::npos) << entry.key;
        const std::string section = page.substr(at, page.find("\n.TP\n", at + 1) - at);
        EXPECT_NE(section.find(tag + roff_text(entry.help) + "\n"), std::string::npos) << entry.key;
        EXPECT_NE(section.find("Default: " + roff_text("`" + entry.show(defaults) + "`")),
                  std::string::npos)
            << entry.key;
        if (!entry.range.empty()) {
            EXPECT_NE(section.find("Allowed: " + roff_text(entry.range) + "."), std::string::npos)
                << entry.key;
        }
    }
    for (const Rule& rule : rules())
        EXPECT_NE(page.find(".IP \\(bu 2\n" + roff_text(rule.description) + "\n"),
                  std::string::npos);
}

TEST(ConfigMan, ShowsTheExampleAndRealErrorMessages) {
    const std::string page = configuration_man_page("cairn");
    EXPECT_NE(page.find(".EX\n# /etc/cairn/cairn.yaml: a resolver for an office network.\n"
                        "listen:\n  \\- 127.0.0.1\n"),
              std::string::npos);
    EXPECT_NE(page.find("cairn.yaml:2: qname\\-minimization: unknown option (did you mean "
                        "'qname\\-minimisation'?)"),
              std::string::npos);
}

TEST(ConfigMan, NoLineIsARequestByAccident) {
    // Every line starting with '.' is one the generator meant as a request.
    const std::string page = configuration_man_page("cairn");
    size_t start = 0;
    while (start < page.size()) {
        const size_t end = page.find('\n', start);
        const std::string line = page.substr(start, end - start);
        if (!line.empty() && (line[0] == '.' || line[0] == '\'')) {
            const std::string request = line.substr(0, line.find(' '));
            EXPECT_TRUE(request == ".\\\"" || request == ".TH" || request == ".nh" ||
                        request == ".nr" || request == ".SH" || request == ".SS" ||
                        request == ".PP" || request == ".TP" || request == ".IP" ||
                        request == ".br" || request == ".EX" || request == ".EE" ||
                        request == ".I" || request == ".BR")
                << line;
        }
        start = end + 1;
    }
}

}  // namespace
}  // namespace cairn::config
