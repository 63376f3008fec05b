// SPDX-License-Identifier: MIT
#include <coswire/credentials/file.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

using coswire::credentials_file_format;
using coswire::errc;
using coswire::parse_coscli_config;
using coswire::parse_key_value_credentials;

namespace {
constexpr std::string_view secret = "SECRET-0123456789abcdef";

void check_no_secret(const coswire::error& e) {
    CHECK(coswire::describe(e).find(secret) == std::string::npos);
}
}  // namespace

TEST_CASE("parse_key_value_credentials: the default profile, before any [name] or as [default]") {
    for (std::string_view text : {"secret_id = AKIDdefault\nsecret_key=kdefault\n", "# keys\n[default]\n  secret_id =AKIDdefault  \r\n\nsecret_key = kdefault\r\n"}) {
        auto c = parse_key_value_credentials(text);
        REQUIRE(c);
        CHECK(c->secret_id == "AKIDdefault");
        CHECK(c->secret_key.reveal() == "kdefault");
        CHECK(c->session_token.empty());
    }
}

TEST_CASE("parse_key_value_credentials: a named profile, its token, and names for other readers") {
    const std::string_view text =
        "secret_id = AKIDdefault\nsecret_key = kdefault\n"
        "[staging]\nregion = ap-guangzhou\nsecret_id = AKIDstaging\nsecret_key = k=staging=\nsession_token = tok en\n"
        "[other]\nsecret_id = AKIDother\n";
    auto c = parse_key_value_credentials(text, "staging");
    REQUIRE(c);
    CHECK(c->secret_id == "AKIDstaging");
    CHECK(c->secret_key.reveal() == "k=staging=");  // the value runs to the end of the line
    CHECK(c->session_token.reveal() == "tok en");
    auto d = parse_key_value_credentials(text);
    REQUIRE(d);
    CHECK(d->secret_id == "AKIDdefault");
    auto missing_key = parse_key_value_credentials(text, "other");
    REQUIRE_FALSE(missing_key);
    CHECK(missing_key.error().reason == "profile [other] has no secret key");
}

TEST_CASE("parse_key_value_credentials: refuses malformed files by line number, never showing a line") {
    const std::string s(secret);
    const struct {
        std::string text;
        std::string_view profile;
        std::string_view reason;
    } cases[] = {
        {"secret_id = AKID\n" + s + "\n", "default", "line 2: expected name = value"},
        {"secret_id = AKID\nsecret_key = " + s + "\nsecret_key = " + s + "\n", "default", "line 3: the same name appears twice"},
        {"[a]\nsecret_key = " + s + "\n[a]\n", "a", "line 3: a profile appears twice"},
        {"secret_key = " + s + "\n[default]\n", "default", "line 2: a profile appears twice"},
        {"[" + s + "\n", "default", "line 1: a profile line must be [name] (letters, digits, '_', '-', '.')"},
        {"[]\n", "default", "line 1: a profile line must be [name] (letters, digits, '_', '-', '.')"},
        {"secret id = " + s + "\n", "default", "line 1: a name is letters, digits, '_', '-' or '.'"},
        {"secret_key = " + s + "\x01\n", "default", "line 1: a control character"},
        {"secret_key = " + s + "\n", "prod", "no profile [prod] in the credentials file"},
        {"secret_key = " + s + "\n", "default", "profile [default] has no secret id"},
        {"", "default", "no profile [default] in the credentials file"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.reason);
        auto r = parse_key_value_credentials(c.text, c.profile);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().reason == c.reason);
        check_no_secret(r.error());
    }
}

// The layout coscli writes (viper's YAML), with disableencryption set so the keys are in clear.
constexpr std::string_view coscli_clear = R"(cos:
  base:
    secretid: AKIDclear
    secretkey: kclear
    sessiontoken: "tok'en"
    protocol: https
    mode: SecretKey
    cvmrolename: ""
    closeautoswitchhost: "false"
    disableencryption: "true"
  buckets:
  - name: example-1250000000
    alias: example
    region: ""
    endpoint: cos.ap-guangzhou.myqcloud.com
    ofs: false
)";

TEST_CASE("parse_coscli_config: reads cos: base: of coscli's file and skips the buckets") {
    auto c = parse_coscli_config(coscli_clear);
    REQUIRE(c);
    CHECK(c->secret_id == "AKIDclear");
    CHECK(c->secret_key.reveal() == "kclear");
    CHECK(c->session_token.reveal() == "tok'en");
    auto same = coswire::parse_credentials_file(coscli_clear, credentials_file_format::coscli_yaml);
    REQUIRE(same);
    CHECK(same->secret_id == "AKIDclear");
    auto profiled = coswire::parse_credentials_file(coscli_clear, credentials_file_format::coscli_yaml, "staging");
    REQUIRE_FALSE(profiled);
    CHECK(profiled.error().argument == "profile");
    CHECK(profiled.error().reason == "coscli's configuration file has no profiles");
}

TEST_CASE("parse_coscli_config: plain, quoted and commented values; other sections; no token") {
    auto c = parse_coscli_config("---\n# settings\nother:\n  cos: x\n  base:\n    secretid: wrong\ncos:\n   buckets: []\n   base:  # keys\n      secretid: AKID # a comment\n"
                                 "      secretkey: 'it''s'\n      sessiontoken: ~\n      disableencryption: true\n");
    REQUIRE(c);
    CHECK(c->secret_id == "AKID");
    CHECK(c->secret_key.reveal() == "it's");
    CHECK(c->session_token.empty());
}

TEST_CASE("parse_coscli_config: refuses keys coscli encrypted instead of signing with the ciphertext") {
    const std::string text = "cos:\n  base:\n    secretid: NfZWlE2iKlDutaf4CMTvXGtJ7yqTtrjH\n    secretkey: " + std::string(secret) + "\n    sessiontoken: \"\"\n";
    auto c = parse_coscli_config(text);
    REQUIRE_FALSE(c);
    CHECK(c.error().code == errc::invalid_argument);
    CHECK(c.error().reason.find("disableencryption") != std::string::npos);
    check_no_secret(c.error());
    auto off = parse_coscli_config(text + "    disableencryption: \"false\"\n");
    REQUIRE_FALSE(off);
    CHECK(off.error().reason == c.error().reason);
}

TEST_CASE("parse_coscli_config: refuses what needs a YAML library, by line number") {
    const std::string s(secret);
    const std::string head = "cos:\n  base:\n    disableencryption: \"true\"\n";
    const struct {
        std::string text;
        std::string_view reason;
    } cases[] = {
        {head + "    secretkey: \"" + s + "\\n\"\n", "line 4: escapes in double-quoted values are not supported"},
        {head + "    secretkey: \"" + s + "\n", "line 4: a quoted value is not closed on its line"},
        {head + "    secretkey: '" + s + "' x\n", "line 4: text after a quoted value"},
        {head + "    secretkey: &anchor " + s + "\n", "line 4: a YAML construct other than a plain or quoted value"},
        {head + "    secretkey: |\n      " + s + "\n", "line 4: a YAML construct other than a plain or quoted value"},
        {head + "    secretkey: {" + s + "}\n", "line 4: a YAML construct other than a plain or quoted value"},
        {head + "    secretkey: a: " + s + "\n", "line 4: a value holding \": \" must be quoted"},
        {head + "    secretkey: " + s + "\n    secretkey: " + s + "\n", "line 5: the same name appears twice"},
        {head + "\tsecretkey: " + s + "\n", "line 4: a tab in the indentation"},
        {head + "      secretkey: " + s + "\n", "line 4: inconsistent indentation under base:"},
        {head + "    " + s + "\n", "line 4: expected key: value"},
        {head + "    \"secretkey\": " + s + "\n", "line 4: a key must be a plain name"},
        {head + "    secretkey:" + s + "\n", "line 4: expected key: value"},
        {"cos: {base: {secretkey: " + s + "}}\n", "line 1: cos: must open a block"},
        {"cos:\n  base: " + s + "\n", "line 2: base: must open a block"},
        {head + "  base:\n", "line 4: the same name appears twice"},
        {head + "    secretkey: " + s + "\x7F\n", "line 4: a control character"},
        {"cos:\n  buckets: []\n", "no cos: base: section"},
        {head + "    mode: CvmRole\n    cvmrolename: role\n",
         "mode is CvmRole: the keys come from the instance role (instance_role_provider), not from this file"},
        {head + "    secretkey: " + s + "\n", "cos: base: has no secret id"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        auto r = parse_coscli_config(c.text);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "credentials_file");
        CHECK(r.error().reason == c.reason);
        check_no_secret(r.error());
    }
}

TEST_CASE("read_text_file and file_provider: read the file only when called") {
    std::error_code ec;
    const std::filesystem::path path = std::filesystem::temp_directory_path(ec) / "coswire_file_test_credentials";
    REQUIRE_FALSE(ec);
    std::filesystem::remove(path, ec);
    const coswire::file_provider provider{.path = path.string(), .profile = "work"};
    auto before = provider();
    REQUIRE_FALSE(before);
    CHECK(before.error().argument == "path");
    CHECK(before.error().reason == "cannot open " + path.string());

    std::FILE* f = std::fopen(path.string().c_str(), "wb");
    REQUIRE(f != nullptr);
    const std::string_view text = "[work]\nsecret_id = AKIDwork\nsecret_key = kwork\n";
    CHECK(std::fwrite(text.data(), 1, text.size(), f) == text.size());
    std::fclose(f);

    auto c = provider();
    REQUIRE(c);
    CHECK(c->secret_id == "AKIDwork");
    auto whole = coswire::read_text_file(path.string());
    REQUIRE(whole);
    CHECK(*whole == text);
    auto too_large = coswire::read_text_file(path.string(), text.size() - 1);
    REQUIRE_FALSE(too_large);
    CHECK(too_large.error().code == errc::limit_exceeded);
    CHECK(coswire::read_text_file(path.string(), text.size()));
    const coswire::file_provider yaml{.path = path.string(), .format = credentials_file_format::coscli_yaml};
    auto wrong_format = yaml();
    REQUIRE_FALSE(wrong_format);
    CHECK(wrong_format.error().reason == "line 1: expected key: value");
    std::filesystem::remove(path, ec);
}
