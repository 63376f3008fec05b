// SPDX-License-Identifier: MIT
// Where a bucket lives: bucket and region validation and the host a request is signed and sent
// for (docs/protocol/endpoints.md#hosts, #bucket-names).
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace coswire {

/// Which domain family serves the bucket.
enum class domain_kind {
    standard,    ///< <bucket>.cos.<region>.myqcloud.com (legacy regions: <bucket>.<region>.myqcloud.com)
    accelerate,  ///< <bucket>.cos.accelerate.myqcloud.com (global acceleration; region unused)
    alternate,   ///< <bucket>.cos.<region>.tencentcos.cn
    internal,    ///< <bucket>.cos-internal.<region>.tencentcos.cn (Tencent Cloud VPC)
};

/// How to reach a bucket. The default is https on port 443.
struct endpoint_options {
    domain_kind domain = domain_kind::standard;
    bool use_https = true;
    std::uint16_t port = 0;  ///< 0: the scheme's default port
};

/// A bucket endpoint: the scheme and the exact Host that is both sent and signed.
struct endpoint {
    std::string scheme{};  ///< "https" or "http"
    std::string host{};    ///< with ":port" when the port is not the scheme's default
    std::string bucket{};  ///< "<name>-<appid>", empty for a custom domain
};

/// The longest default host COS accepts: `<name>-<appid>.cos.<region>.myqcloud.com` (docs/protocol/endpoints.md#bucket-names).
inline constexpr std::size_t max_default_host_size = 60;

/// Checks `<name>-<appid>`: name of lower-case letters, digits and '-', neither starting nor
/// ending with '-'; appid all digits. Error argument "bucket".
inline result<void> validate_bucket(std::string_view bucket) {
    auto fail = [](std::string reason) { return make_error(errc::invalid_argument, "bucket", std::move(reason)); };
    const auto dash = bucket.rfind('-');
    if (dash == std::string_view::npos || dash == 0 || dash + 1 == bucket.size())
        return fail("must be <name>-<appid>, e.g. examplebucket-1250000000");
    const std::string_view name = bucket.substr(0, dash), appid = bucket.substr(dash + 1);
    for (char c : appid)
        if (!detail::is_digit(c)) return fail("the APPID after the last '-' must be digits");
    for (char c : name)
        if (!(detail::is_digit(c) || (c >= 'a' && c <= 'z') || c == '-'))
            return fail("the name may hold only lower-case letters, digits and '-'");
    if (name.front() == '-' || name.back() == '-') return fail("the name must not start or end with '-'");
    return {};
}

/// Checks a region id such as "ap-beijing": lower-case letters, digits and '-', starting with a
/// letter, not ending with '-'. Error argument "region".
inline result<void> validate_region(std::string_view region) {
    if (region.empty() || region.size() > 32 || !(region.front() >= 'a' && region.front() <= 'z') || region.back() == '-')
        return make_error(errc::invalid_argument, "region", "must look like ap-beijing (lower-case letters, digits, '-')");
    for (char c : region)
        if (!(detail::is_digit(c) || (c >= 'a' && c <= 'z') || c == '-'))
            return make_error(errc::invalid_argument, "region", "may hold only lower-case letters, digits and '-'");
    return {};
}

namespace detail {

/// Regions from before the "cos." host scheme (docs/protocol/endpoints.md#legacy-regions).
constexpr bool is_legacy_region(std::string_view region) noexcept {
    for (std::string_view r : {"cn-north", "cn-south", "cn-east", "cn-south-2", "cn-southwest", "sg"})
        if (region == r) return true;
    return false;
}

inline endpoint finish_endpoint(std::string host, const endpoint_options& options, std::string bucket) {
    const std::uint16_t default_port = options.use_https ? 443 : 80;
    if (options.port != 0 && options.port != default_port) host += ":" + std::to_string(options.port);
    return endpoint{options.use_https ? "https" : "http", std::move(host), std::move(bucket)};
}

}  // namespace detail

/// The endpoint of `bucket` in `region`. Errors: validate_bucket, validate_region (not for the
/// accelerate domain, where region may be empty), and limit_exceeded ("bucket") when the default
/// host would exceed 60 characters.
inline result<endpoint> make_endpoint(std::string_view bucket, std::string_view region,
                                      const endpoint_options& options = {}) {
    if (auto ok = validate_bucket(bucket); !ok) return std::move(ok).error();
    std::string host(bucket);
    switch (options.domain) {
        case domain_kind::accelerate: host += ".cos.accelerate.myqcloud.com"; break;
        case domain_kind::standard:
        case domain_kind::alternate:
        case domain_kind::internal: {
            if (auto ok = validate_region(region); !ok) return std::move(ok).error();
            if (options.domain == domain_kind::standard) {
                host += detail::is_legacy_region(region) ? "." : ".cos.";
                host.append(region).append(".myqcloud.com");
                if (host.size() > max_default_host_size)
                    return make_error(errc::limit_exceeded, "bucket",
                                      "the host " + host + " is longer than 60 characters; choose a shorter bucket name");
            } else {
                host += options.domain == domain_kind::internal ? ".cos-internal." : ".cos.";
                host.append(region).append(".tencentcos.cn");
            }
            break;
        }
    }
    return detail::finish_endpoint(std::move(host), options, std::string(bucket));
}

/// The endpoint of a custom (CNAME / CDN) domain bound to a bucket. The domain is a DNS name:
/// labels of letters, digits and '-' separated by '.'. Error argument "domain".
inline result<endpoint> make_custom_endpoint(std::string_view domain, const endpoint_options& options = {}) {
    bool label_start = true;
    for (std::size_t i = 0; i < domain.size(); ++i) {
        const char c = domain[i];
        const bool ok = detail::is_alpha(c) || detail::is_digit(c) || (c == '-' && !label_start) || (c == '.' && !label_start);
        if (!ok || (c == '.' && domain[i - 1] == '-'))
            return make_error(errc::invalid_argument, "domain",
                              "must be a DNS name (letters, digits, '-' and '.'), bad character at byte " + std::to_string(i));
        label_start = c == '.';
    }
    if (domain.empty() || label_start || domain.back() == '-' || domain.size() > 253)
        return make_error(errc::invalid_argument, "domain", "must be a non-empty DNS name of at most 253 characters");
    std::string host(domain);
    for (char& c : host) c = detail::to_lower(c);  // DNS names are case-insensitive; sign one spelling
    return detail::finish_endpoint(std::move(host), options, {});
}

}  // namespace coswire
