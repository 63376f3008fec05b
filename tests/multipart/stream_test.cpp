// SPDX-License-Identifier: MIT
#include <coswire/multipart/stream.hpp>

#include "../support/sinks.hpp"

#include <doctest/doctest.h>

#include <coswire/testing/emulator.hpp>

#include "hostile_transport.hpp"

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using coswire::errc;
using coswire::mib;
using coswire::testing::cos_emulator;

using test_support::random_text;

namespace {

const coswire::credentials creds{.secret_id = "AKIDstream", .secret_key = coswire::secret_string("stream-secret")};

coswire::testing::emulator_options emulator_options(std::uint64_t seed = 1) {
    coswire::testing::emulator_options o;
    o.accepted = {creds};
    o.seed = seed;
    return o;
}

/// The client over a hostile_transport that, unless a test says otherwise, passes every request
/// to the emulator unchanged.
struct harness {
    cos_emulator server;
    hostile_transport transport;
    coswire::client<hostile_transport> client;

    explicit harness(coswire::testing::emulator_options o = emulator_options())
        : server(std::move(o)),
          client(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, transport,
                 [this] { return server.server_time(); }, [](std::uint32_t) {}) {
        transport.server = &server;
    }
};

/// A forward-only stream over `data`, handing out at most `chunk` bytes per read (a pipe's
/// short reads), optionally failing once `fail_at` bytes were read. Counts its reads after the end.
struct chunked_reader {
    std::string data;
    std::size_t chunk = 65536;
    std::size_t fail_at = SIZE_MAX;
    std::size_t at = 0;
    int reads_after_end = 0;

    coswire::result<std::size_t> read(std::span<std::byte> out) {
        if (at >= fail_at) return coswire::make_error(errc::transport_failure, "reader", "the pipe broke");
        if (at == data.size()) {
            ++reads_after_end;
            return std::size_t{0};
        }
        std::size_t n = std::min({out.size(), chunk, data.size() - at});
        if (fail_at != SIZE_MAX) n = std::min(n, fail_at - at);
        std::memcpy(out.data(), data.data() + at, n);
        at += n;
        return n;
    }
};
static_assert(coswire::stream_reader<chunked_reader>);

coswire::stream_upload_options small_parts() {
    coswire::stream_upload_options o;
    o.part_size = mib;
    o.threshold = mib / 2;
    return o;
}

}  // namespace

TEST_CASE("upload_stream: a stream within the threshold goes as one PUT, a longer one in parts, each stored exactly") {
    const std::uint64_t part = mib, threshold = mib / 2;
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{threshold}, std::size_t{threshold + 1},
                                   std::size_t{part}, std::size_t{part + 1}, std::size_t{3 * part}, std::size_t{3 * part + 7}}) {
        CAPTURE(size);
        harness h;
        cos_emulator& server = h.server;
        chunked_reader reader{.data = random_text(size, size), .chunk = 100000};
        std::vector<std::uint64_t> progress;
        auto options = small_parts();
        options.upload.on_progress = [&](const coswire::upload_progress& p) {
            CHECK(p.bytes_total == 0);  // unknown until the end
            progress.push_back(p.bytes_done);
        };
        auto r = coswire::upload_stream(h.client, "streams/in.bin", reader, options);
        REQUIRE_MESSAGE(r, coswire::describe(r.error()));
        CHECK(r->size == size);
        CHECK(r->crc64 == coswire::crc64(reader.data));
        CHECK(r->multipart == (size > threshold));
        CHECK(reader.reads_after_end <= 1);  // never read again after it said the stream ended
        const auto stored = server.object("streams/in.bin");
        REQUIRE(stored);
        CHECK(stored->data == reader.data);
        CHECK(stored->crc64 == r->crc64);
        CHECK(server.uploads().empty());
        if (r->multipart) {
            const std::size_t parts = (size + part - 1) / part;
            CHECK(r->upload.parts == parts);  // no empty part after a stream that ends on a part boundary
            CHECK(progress.size() == parts);
            CHECK(progress.back() == size);
            CHECK(stored->etag.ends_with("-" + std::to_string(parts) + "\""));
        } else {
            CHECK(progress.empty());
            CHECK(r->etag == std::string(coswire::to_string_view(coswire::to_hex(coswire::md5_hash(reader.data)))));
        }
    }
}

TEST_CASE("upload_stream: threshold equal to the part size, and reads of one byte") {
    harness h;
    cos_emulator& server = h.server;
    coswire::stream_upload_options options;
    options.part_size = options.threshold = mib;
    for (const std::size_t size : {std::size_t{mib}, std::size_t{mib + 1}}) {
        CAPTURE(size);
        chunked_reader reader{.data = random_text(size, 7), .chunk = size == mib ? std::size_t{1} : std::size_t{4096}};
        auto r = coswire::upload_stream(h.client, "k", reader, options);
        REQUIRE(r);
        CHECK(r->multipart == (size > mib));
        CHECK(server.object("k")->data == reader.data);
    }
}

TEST_CASE("upload_stream: retried faults do not change what is stored") {
    auto o = emulator_options(42);
    o.faults.internal_error = 0.1;
    o.faults.drop_before = 0.05;
    o.faults.drop_after = 0.05;
    harness h(o);
    cos_emulator& server = h.server;
    chunked_reader reader{.data = random_text(4 * mib + 3, 3)};
    auto r = coswire::upload_stream(h.client, "faulty", reader, small_parts());
    REQUIRE_MESSAGE(r, coswire::describe(r.error()));  // the seed's faults are all retried away
    const auto injected = server.stats().faults;
    CHECK(injected.internal_error + injected.drop_before + injected.drop_after > 0);
    CHECK(server.object("faulty")->data == reader.data);
    CHECK(server.uploads().empty());
}

TEST_CASE("upload_stream: a reader that fails or lies aborts the upload and stores nothing") {
    SUBCASE("the pipe breaks in the third part") {
        harness h;
        cos_emulator& server = h.server;
        chunked_reader reader{.data = random_text(4 * mib, 5), .fail_at = 2 * mib + 10};
        auto r = coswire::upload_stream(h.client, "k", reader, small_parts());
        REQUIRE_FALSE(r);
        CHECK(r.error().reason.starts_with("the pipe broke"));
        CHECK(r.error().reason.find("the upload was aborted") != std::string::npos);
        CHECK(server.uploads().empty());
        CHECK_FALSE(server.object("k"));
    }
    SUBCASE("read() claims more bytes than it was given") {
        struct liar {
            coswire::result<std::size_t> read(std::span<std::byte> out) { return out.size() + 1; }
        } reader;
        harness h;
        cos_emulator& server = h.server;
        auto r = coswire::upload_stream(h.client, "k", reader, small_parts());
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "reader");
        CHECK(server.uploads().empty());
    }
    SUBCASE("an endless stream stops at max_parts and is aborted") {
        struct endless {
            std::uint64_t given = 0;
            coswire::result<std::size_t> read(std::span<std::byte> out) {
                std::fill(out.begin(), out.end(), std::byte{'z'});
                given += out.size();
                return out.size();
            }
        } reader;
        harness h;
        cos_emulator& server = h.server;
        auto options = small_parts();
        options.max_parts = 3;
        auto r = coswire::upload_stream(h.client, "k", reader, options);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::limit_exceeded);
        CHECK(r.error().argument == "max_parts");
        CHECK(reader.given <= 4 * mib + 1);  // read no further than one part past the cap
        CHECK(server.uploads().empty());
        CHECK_FALSE(server.object("k"));
    }
}

TEST_CASE("upload_stream: a PUT answer without CRC-64 is settled by HEAD, a wrong one fails") {
    harness h;
    h.transport.alter = [](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
        if (kind_of(r) == request_kind::put_object && answer) remove_header(*answer, "x-cos-hash-crc64ecma");
    };
    chunked_reader reader{.data = "short stream"};
    auto r = coswire::upload_stream(h.client, "k", reader, small_parts());
    REQUIRE(r);
    CHECK(r->crc64_from == coswire::crc64_evidence::head_header);
    CHECK(h.transport.count(request_kind::head_object) == 1);

    h.transport.alter = [](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
        if (kind_of(r) != request_kind::put_object || !answer) return;
        remove_header(*answer, "x-cos-hash-crc64ecma");
        answer->headers.push_back({"x-cos-hash-crc64ecma", "12345"});
    };
    chunked_reader again{.data = "short stream"};
    auto wrong = coswire::upload_stream(h.client, "k", again, small_parts());
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == errc::integrity_failure);
}

TEST_CASE("upload_stream: bad options name the argument and read nothing") {
    harness h;
    const auto fails_on = [&](coswire::stream_upload_options o) {
        chunked_reader reader{.data = "abc"};
        auto r = coswire::upload_stream(h.client, "k", reader, o);
        CHECK(reader.at == 0);
        return r ? std::string() : std::string(r.error().argument);
    };
    auto o = small_parts();
    o.part_size = mib - 1;
    CHECK(fails_on(o) == "part_size");
    o = small_parts();
    o.threshold = o.part_size + 1;
    CHECK(fails_on(o) == "threshold");
    o = small_parts();
    o.max_parts = 0;
    CHECK(fails_on(o) == "max_parts");
    o = small_parts();
    o.upload.resume_upload_id = "id";
    CHECK(fails_on(o) == "resume_upload_id");
}

TEST_CASE("upload_stream: content_md5 = false sends neither the PUT nor any part with Content-MD5, and the PUT's ETag is not compared") {
    for (const std::size_t size : {std::size_t{1000}, std::size_t{2 * mib + 3}}) {
        CAPTURE(size);
        harness h;
        std::size_t writes = 0, with_md5 = 0;
        h.transport.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
            const request_kind k = kind_of(r);
            if (k != request_kind::put_object && k != request_kind::upload_part) return;
            ++writes;
            with_md5 += r.header("Content-MD5") ? 1 : 0;
            // Without an MD5 there is nothing to compare the ETag with: an opaque one is fine.
            if (k == request_kind::put_object && answer) {
                remove_header(*answer, "ETag");
                answer->headers.push_back({"ETag", "\"0123456789abcdef0123456789abcdef\""});
            }
        };
        chunked_reader reader{.data = random_text(size, 43)};
        auto options = small_parts();
        options.upload.content_md5 = false;
        auto r = coswire::upload_stream(h.client, "no-md5", reader, options);
        REQUIRE_MESSAGE(r, coswire::describe(r.error()));
        CHECK(r->multipart == (size > mib / 2));
        CHECK(writes == (r->multipart ? 3u : 1u));
        CHECK(with_md5 == 0);
        CHECK(h.server.object("no-md5")->data == reader.data);
    }
}

TEST_CASE("upload_stream: with content_md5 = false a byte flipped in the single PUT is caught by CRC-64") {
    harness h;
    h.transport.meddle = [](coswire::http_request& r) {
        if (kind_of(r) == request_kind::put_object) flip_body_byte(r, 10);
    };
    chunked_reader reader{.data = random_text(5000, 44)};
    auto options = small_parts();
    options.upload.content_md5 = false;
    auto r = coswire::upload_stream(h.client, "flipped", reader, options);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::integrity_failure);
    CHECK(r.error().argument == "object");
}

TEST_CASE("upload_stream: into a bucket whose default encryption is SSE-KMS, both the single PUT and the multipart path succeed") {
    auto o = emulator_options(45);
    o.default_encryption = "cos/kms";
    for (const std::size_t size : {std::size_t{1000}, std::size_t{2 * mib + 3}}) {
        CAPTURE(size);
        harness h(o);
        chunked_reader reader{.data = random_text(size, 46)};
        auto r = coswire::upload_stream(h.client, "kms", reader, small_parts());
        REQUIRE_MESSAGE(r, coswire::describe(r.error()));
        CHECK(r->multipart == (size > mib / 2));
        CHECK(h.server.object("kms")->data == reader.data);
        CHECK(r->etag != std::string(coswire::to_string_view(coswire::to_hex(coswire::md5_hash(reader.data)))));
    }
}

TEST_CASE("upload_stream: traffic_limit goes with the single PUT and with every part") {
    for (const std::size_t size : {std::size_t{1000}, std::size_t{2 * mib + 3}}) {
        CAPTURE(size);
        harness h;
        std::vector<std::string> limits_seen;  // the x-cos-traffic-limit of every PUT Object and Upload Part
        h.transport.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>&) {
            const request_kind k = kind_of(r);
            if (k == request_kind::put_object || k == request_kind::upload_part)
                limits_seen.emplace_back(r.header("x-cos-traffic-limit").value_or("none"));
        };
        chunked_reader reader{.data = random_text(size, 47)};
        auto options = small_parts();
        options.upload.traffic_limit = 819200;
        auto r = coswire::upload_stream(h.client, "limited", reader, options);
        REQUIRE_MESSAGE(r, coswire::describe(r.error()));
        CHECK(limits_seen == std::vector<std::string>(r->multipart ? 3 : 1, "819200"));
    }
}

namespace {

/// A context over a fixed clock, for driving a stream_put_machine by hand.
struct by_hand {
    coswire::operation_context context{coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds,
                                       [] { return std::int64_t{1700000000}; }, coswire::client_options{.max_attempts = 2}};
    std::string data = random_text(1000, 48);
    coswire::stream_upload_options options = small_parts();

    std::span<const std::byte> bytes() const { return std::as_bytes(std::span<const char>(data.data(), data.size())); }
    std::string md5_hex() const { return std::string(coswire::to_string_view(coswire::to_hex(coswire::md5_hash(data)))); }
    std::string crc() const { return std::to_string(coswire::crc64(bytes())); }
};

coswire::http_response put_answer(std::string etag, std::string crc64) {
    coswire::http_response r{200, {{"ETag", "\"" + etag + "\""}, {"x-cos-request-id", "put"}, {"x-cos-version-id", "v1"}}, ""};
    if (!crc64.empty()) r.headers.push_back({"x-cos-hash-crc64ecma", std::move(crc64)});
    return r;
}

coswire::http_response head_answer(std::size_t length, std::string crc64) {
    return {200, {{"Content-Length", std::to_string(length)}, {"ETag", "\"e\""}, {"x-cos-request-id", "head"}, {"x-cos-hash-crc64ecma", std::move(crc64)}}, ""};
}

coswire::http_response busy() { return {503, {{"x-cos-request-id", "busy"}}, "<Error><Code>SlowDown</Code></Error>"}; }

}  // namespace

static_assert(coswire::step_machine<coswire::stream_put_machine>);

TEST_CASE("stream_put_machine: one PUT, step by step, its ETag and CRC-64 checked from the answer") {
    by_hand f;
    coswire::stream_put_machine m(f.context, "short", f.bytes(), f.options);
    const coswire::step s = m.next();
    REQUIRE(s.kind == coswire::step_kind::send);
    CHECK(s.id == 1);
    CHECK(s.request->method == "PUT");
    CHECK(s.request->target() == "/short");
    CHECK(s.request->header("Content-MD5"));
    CHECK(m.next().kind == coswire::step_kind::idle);
    SUBCASE("both agree") {
        REQUIRE(m.receive(s.id, put_answer(f.md5_hex(), f.crc())));
        REQUIRE(m.next().kind == coswire::step_kind::done);
        auto r = m.take_result();
        REQUIRE(r);
        CHECK(r->size == 1000);
        CHECK(r->etag == f.md5_hex());
        CHECK_FALSE(r->multipart);
        CHECK(r->crc64_from == coswire::crc64_evidence::complete_header);
    }
    SUBCASE("an ETag that is not the MD5 sent") {
        REQUIRE(m.receive(s.id, put_answer(std::string(32, 'a'), f.crc())));
        REQUIRE(m.next().kind == coswire::step_kind::done);
        CHECK(m.take_result().error().argument == "ETag");
    }
    SUBCASE("a CRC-64 that is not the stream's") {
        REQUIRE(m.receive(s.id, put_answer(f.md5_hex(), "12345")));
        REQUIRE(m.next().kind == coswire::step_kind::done);
        auto r = m.take_result();
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::integrity_failure);
        CHECK(r.error().argument == "object");
    }
}

TEST_CASE("stream_put_machine: a retried PUT answered without CRC-64 is settled by a HEAD under an id of its own") {
    by_hand f;
    coswire::stream_put_machine m(f.context, "short", f.bytes(), f.options);
    const coswire::step first = m.next();
    REQUIRE(m.receive(first.id, busy()));
    const coswire::step wait = m.next();
    REQUIRE(wait.kind == coswire::step_kind::wait);
    CHECK(wait.id == 2);
    REQUIRE(m.waited(wait.id));
    const coswire::step retry = m.next();
    REQUIRE(retry.kind == coswire::step_kind::send);
    CHECK(retry.id == 3);
    CHECK(retry.request->header("x-cos-sdk-retry") == "true");
    REQUIRE(m.receive(retry.id, put_answer(f.md5_hex(), "")));
    const coswire::step head = m.next();
    REQUIRE(head.kind == coswire::step_kind::send);
    CHECK(head.id == 4);
    CHECK(head.request->method == "HEAD");
    CHECK(head.request->target() == "/short?versionId=v1");  // the version the PUT stored
    CHECK(m.receive(1, head_answer(1000, f.crc())).error().reason == "step 1 has already been answered");
    SUBCASE("HEAD's CRC-64 matches") {
        REQUIRE(m.receive(head.id, head_answer(1000, f.crc())));
        REQUIRE(m.next().kind == coswire::step_kind::done);
        auto r = m.take_result();
        REQUIRE(r);
        CHECK(r->crc64_from == coswire::crc64_evidence::head_header);
        CHECK_FALSE(m.may_have_repeated());  // a 503 was answered: nothing was lost
    }
    SUBCASE("HEAD reports another length") {
        REQUIRE(m.receive(head.id, head_answer(999, f.crc())));
        REQUIRE(m.next().kind == coswire::step_kind::done);
        CHECK(m.take_result().error().argument == "object");
    }
    SUBCASE("HEAD fails") {
        REQUIRE(m.receive(head.id, coswire::http_response{403, {{"x-cos-request-id", "no"}}, "<Error><Code>AccessDenied</Code></Error>"}));
        REQUIRE(m.next().kind == coswire::step_kind::done);
        CHECK(coswire::is_cos_error(m.take_result().error(), coswire::cos_errc::access_denied));
    }
}

TEST_CASE("stream_put_machine: misuse is an error value that changes nothing") {
    by_hand f;
    f.options.upload.content_md5 = false;
    coswire::stream_put_machine m(f.context, "short", f.bytes(), f.options);
    CHECK(m.take_result().error().argument == "machine");
    const coswire::step s = m.next();
    CHECK_FALSE(s.request->header("Content-MD5"));
    CHECK(m.receive(s.id + 1, put_answer("x", f.crc())).error().reason == "step 2 was never issued");
    CHECK(m.waited(s.id).error().reason == "step 1 is a send step, not a wait step");
    CHECK(m.receive_body(s.id, {}).error().argument == "machine");  // not streamed
    REQUIRE(m.receive(s.id, coswire::make_error(errc::transport_failure, "transport", "reset")));
    CHECK(m.receive(s.id, put_answer("x", f.crc())).error().argument == "step_id");  // a second outcome
    const coswire::step wait = m.next();
    REQUIRE(m.waited(wait.id));
    const coswire::step again = m.next();
    REQUIRE(m.receive(again.id, put_answer("not-an-md5-and-not-compared", f.crc())));
    REQUIRE(m.next().kind == coswire::step_kind::done);
    CHECK(m.next().kind == coswire::step_kind::done);  // a step after done is done again, nothing sent
    CHECK(m.waited(again.id + 1).error().argument == "step_id");
    auto r = m.take_result();
    REQUIRE(r);
    CHECK(m.may_have_repeated());
    CHECK(m.take_result().error().reason.find("already taken") != std::string::npos);
}
