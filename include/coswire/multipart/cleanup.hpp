// SPDX-License-Identifier: MIT
// The cleanup after an Initiate Multipart Upload that may have been applied more than once, as a
// step machine: list the key's uploads, probe each that may be a duplicate, abort the empty ones
// (docs/protocol/multipart.md#lost-initiate).
#pragma once

#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/listing/all_pages.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/operation.hpp>
#include <coswire/machine/relay.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/multipart/checks.hpp>
#include <coswire/multipart/options.hpp>
#include <coswire/operation.hpp>
#include <coswire/parse/copy.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace coswire {

namespace detail {

/// Every answer an upload's requests parse to (a server-side copy's included), so one operation
/// machine type runs them all.
using upload_answer = std::variant<std::monostate, initiate_multipart_upload_result, upload_part_result,
                                   complete_multipart_upload_result, head_object_result, list_parts_result,
                                   abort_multipart_upload_result, put_object_copy_result, upload_part_copy_result>;

struct upload_answer_parser {
    result<upload_answer> (*parse)(const http_response&) = nullptr;
    result<upload_answer> operator()(const http_response& r) const { return parse(r); }
};

template <class Params>
result<upload_answer> parse_upload_answer(const http_response& r) {
    auto parsed = operation<Params>::parse(r);
    if (!parsed) return std::move(parsed).error();
    return upload_answer(std::in_place_type<operation_result<Params>>, std::move(*parsed));
}

}  // namespace detail

/// Aborts the other uploads of `key` that were initiated around the time of ours (`ours`; or,
/// when Initiate failed and there is none, before the listing's Date) and hold no part, so no
/// empty upload a repeated Initiate created stays behind. The listing, probes and aborts run one
/// after another, each through a machine of its own whose steps get ids of this machine, so the
/// ids a driver sees never repeat; an abort answering NoSuchUpload (an earlier attempt of it
/// worked) counts as done. Whatever could not be done is in the result, never dropped: its only
/// errors are a misused machine's. (A concurrent writer's empty upload of the
/// same key started in that window is aborted as well; it was racing to overwrite the same object.)
/// Borrows the context.
class duplicate_cleanup_machine {
public:
    duplicate_cleanup_machine(operation_context& context, std::string key, std::optional<std::string> ours)
        : context_(&context), key_(std::move(key)), ours_(std::move(ours)) {
        out_.ran = true;
        list_multipart_uploads_params page;
        page.prefix = key_;
        listing_.emplace(context, std::move(page));
    }

    step next() {
        for (;;) {
            if (result_) return {};
            const step s = listing_ ? listing_->next() : call_->next();
            if (s.kind != step_kind::done) return relay_.forward(s);
            if (listing_) listed();
            else answered();
        }
    }
    result<void> receive(std::uint32_t id, result<http_response> outcome) {
        return listing_ ? relay_.receive(*listing_, id, std::move(outcome)) : relay_.receive(*call_, id, std::move(outcome));
    }
    result<void> receive_head(std::uint32_t id, const http_response& head) {
        return listing_ ? relay_.receive_head(*listing_, id, head) : relay_.receive_head(*call_, id, head);
    }
    result<void> receive_body(std::uint32_t id, std::span<const std::byte> bytes) {
        return listing_ ? relay_.receive_body(*listing_, id, bytes) : relay_.receive_body(*call_, id, bytes);
    }
    result<void> waited(std::uint32_t id) { return listing_ ? relay_.waited(*listing_, id) : relay_.waited(*call_, id); }

    /// What the cleanup did, once next() said done; errors: invalid_argument naming "machine"
    /// before that or when it was already taken.
    result<duplicate_cleanup> take_result() {
        if (!result_) return detail::machine_misused("take_result: not done yet; call next() until it says done");
        if (taken_) return detail::machine_misused("take_result: the result was already taken");
        taken_ = true;
        return std::move(*result_);
    }

    /// The probes and aborts are idempotent, so a repeat changes nothing.
    bool may_have_repeated() const noexcept { return false; }

private:
    using call = operation_machine<detail::upload_answer_parser>;

    std::optional<std::string_view> ours() const {
        return ours_ ? std::optional<std::string_view>(*ours_) : std::nullopt;
    }

    void listed() {
        auto listed = listing_->take_result();
        listing_.reset();
        if (!listed) return give_up(std::move(listed).error(), "listing the uploads of the key failed");
        auto window = detail::duplicate_window_of(*listed, key_, ours());
        if (!window) return give_up(std::move(window).error(), "no time reference to tell duplicates by");
        for (multipart_upload_summary& u : listed->uploads)
            if (detail::may_be_duplicate(u, key_, ours(), *window)) candidates_.push_back(std::move(u.upload_id));
        probe_next();
    }

    void probe_next() {
        if (at_ == candidates_.size()) {
            result_.emplace(std::move(out_));
            return;
        }
        probing_ = true;
        start(list_parts_params{.key = key_, .upload_id = candidates_[at_], .max_parts = 1});
    }

    void answered() {
        const std::string& id = candidates_[at_];
        auto answer = call_->take_result();
        if (probing_ && (answer || !is_cos_error(answer.error(), cos_errc::no_such_upload))) {
            if (!answer) {
                out_.left.push_back(id);
                detail::note_cleanup_failure(out_, std::move(answer).error(), "listing the parts of upload " + id + " failed");
            } else if (const auto& parts = std::get<list_parts_result>(*answer); parts.parts.empty() && !parts.is_truncated) {
                probing_ = false;
                return start(abort_multipart_upload_params{key_, id, {}});
            }  // else someone is uploading to it
        } else if (!probing_) {
            if (answer || is_cos_error(answer.error(), cos_errc::no_such_upload)) {
                out_.aborted.push_back(id);
            } else {
                out_.left.push_back(id);
                detail::note_cleanup_failure(out_, std::move(answer).error(), "aborting upload " + id + " failed");
            }
        }  // else a probe found it gone already
        ++at_;
        probe_next();
    }

    template <class Params>
    void start(const Params& params) {
        call_.emplace(*context_, operation<Params>::build(context_->bucket_endpoint(), params),
                      detail::upload_answer_parser{&detail::parse_upload_answer<Params>});
    }

    void give_up(error e, std::string_view doing) {
        detail::note_cleanup_failure(out_, std::move(e), doing);
        result_.emplace(std::move(out_));
    }

    operation_context* context_;
    std::string key_;
    std::optional<std::string> ours_;
    std::optional<list_all_multipart_uploads_machine> listing_{};
    std::optional<call> call_{};
    detail::step_relay relay_{};  // each request's machine counts its ids from 1: the driver sees ours
    std::vector<std::string> candidates_{};  // uploads to probe, one after another
    std::size_t at_ = 0;
    bool probing_ = false;  // call_ is a probe (List Parts), else an abort
    duplicate_cleanup out_{};
    std::optional<duplicate_cleanup> result_{};
    bool taken_ = false;
};

}  // namespace coswire
