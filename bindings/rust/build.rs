// SPDX-License-Identifier: Apache-2.0
//! build.rs - find libsquibnet, link it, and record the C structs' layout
//!
//! Where the library comes from, first match wins:
//!
//! 1. `SQUIBNET_BUILD_DIR`: a Meson build directory of squib-net (absolute,
//!    or relative to this crate's directory), e.g. `../../build`. The crate
//!    links `src/libsquibnet.so` from there and gives every test, example
//!    and binary an rpath to it, so they run without `LD_LIBRARY_PATH`. The
//!    header is taken from the source tree the build directory was made
//!    from (its `meson-info/meson-info.json`).
//! 2. pkg-config: `pkg-config squibnet` (an installed libsquibnet-dev, or
//!    `PKG_CONFIG_PATH` pointing at another prefix).
//!
//! Either way the build compiles a small C program against `squibnet.h`
//! that prints the offsets and sizes of the structs this crate mirrors
//! (`$OUT_DIR/c_layout.rs`); a unit test compares them with the Rust
//! definitions, so a header that changed under the crate fails `cargo test`
//! instead of corrupting memory.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the C layout program prints: one `name value` line each.
const LAYOUT_C: &str = r#"
#include <stddef.h>
#include <stdio.h>
#include <squibnet.h>

#define OFF(s, f) printf("%s.%s %zu\n", #s, #f, offsetof(struct s, f))
#define SIZE(s) printf("%s %zu\n", #s, sizeof(struct s))

int main(void)
{
	SIZE(sqn_params);
	OFF(sqn_params, size);
	OFF(sqn_params, iface_id);
	OFF(sqn_params, mode);
	OFF(sqn_params, bridged_iface);
	OFF(sqn_params, mtu);
	OFF(sqn_params, start_timeout_ms);
	OFF(sqn_params, isolation);
	OFF(sqn_params, guest_mac);
	OFF(sqn_params, log);
	OFF(sqn_params, log_opaque);
	OFF(sqn_params, log_level);
	OFF(sqn_params, rx_queue_len);
	OFF(sqn_params, tx_queue_len);
	OFF(sqn_params, max_frame);
	OFF(sqn_params, helper_kind);
	OFF(sqn_params, helper_path);
	OFF(sqn_params, helper_args);
	OFF(sqn_params, n_helper_args);
	OFF(sqn_params, helper_restart);
	OFF(sqn_params, helper_env);
	OFF(sqn_params, connect_url);
	OFF(sqn_params, host_dev_name);
	OFF(sqn_params, tap_create);
	OFF(sqn_params, tap_queues);
	OFF(sqn_params, offload);
	OFF(sqn_params, offload_features);
	OFF(sqn_params, slirp_net);
	OFF(sqn_params, slirp_host);
	OFF(sqn_params, slirp_dns);
	OFF(sqn_params, slirp_dhcp_start);
	OFF(sqn_params, slirp_ipv6);
	OFF(sqn_params, slirp_restrict);
	OFF(sqn_params, slirp_dns_search);
	OFF(sqn_params, n_slirp_dns_search);
	OFF(sqn_params, forwards);
	OFF(sqn_params, n_forwards);
	OFF(sqn_params, reconnect_max);
	OFF(sqn_params, rx_rate_limiter);
	OFF(sqn_params, tx_rate_limiter);
	OFF(sqn_params, live_controls);
	OFF(sqn_params, policy_rules);
	OFF(sqn_params, n_policy_rules);
	SIZE(sqn_vnet_hdr);
	OFF(sqn_vnet_hdr, flags);
	OFF(sqn_vnet_hdr, gso_type);
	OFF(sqn_vnet_hdr, hdr_len);
	OFF(sqn_vnet_hdr, gso_size);
	OFF(sqn_vnet_hdr, csum_start);
	OFF(sqn_vnet_hdr, csum_offset);
	OFF(sqn_vnet_hdr, num_buffers);
	SIZE(sqn_frame);
	OFF(sqn_frame, data);
	OFF(sqn_frame, cap);
	OFF(sqn_frame, len);
	OFF(sqn_frame, vnet);
	SIZE(sqn_stats);
	OFF(sqn_stats, rx_frames);
	OFF(sqn_stats, rx_bytes);
	OFF(sqn_stats, tx_frames);
	OFF(sqn_stats, tx_bytes);
	OFF(sqn_stats, rx_dropped);
	OFF(sqn_stats, tx_dropped);
	OFF(sqn_stats, rx_errors);
	OFF(sqn_stats, tx_errors);
	OFF(sqn_stats, conn_resets);
	OFF(sqn_stats, link_changes);
	OFF(sqn_stats, helper_restarts);
	SIZE(sqn_bucket);
	OFF(sqn_bucket, size);
	OFF(sqn_bucket, one_time_burst);
	OFF(sqn_bucket, refill_time_ms);
	SIZE(sqn_rate_limiter);
	OFF(sqn_rate_limiter, bandwidth);
	OFF(sqn_rate_limiter, ops);
	SIZE(sqn_stats_ext);
	OFF(sqn_stats_ext, size);
	OFF(sqn_stats_ext, capturing);
	OFF(sqn_stats_ext, rx_frames);
	OFF(sqn_stats_ext, rx_bytes);
	OFF(sqn_stats_ext, tx_frames);
	OFF(sqn_stats_ext, tx_bytes);
	OFF(sqn_stats_ext, rx_dropped);
	OFF(sqn_stats_ext, tx_dropped);
	OFF(sqn_stats_ext, rx_errors);
	OFF(sqn_stats_ext, tx_errors);
	OFF(sqn_stats_ext, conn_resets);
	OFF(sqn_stats_ext, link_changes);
	OFF(sqn_stats_ext, helper_restarts);
	OFF(sqn_stats_ext, rx_throttled);
	OFF(sqn_stats_ext, tx_throttled);
	OFF(sqn_stats_ext, capture_frames);
	OFF(sqn_stats_ext, capture_dropped);
	OFF(sqn_stats_ext, capture_lost);
	OFF(sqn_stats_ext, policy_denied);
	SIZE(sqn_policy_counters);
	OFF(sqn_policy_counters, size);
	OFF(sqn_policy_counters, rules);
	OFF(sqn_policy_counters, denied);
	OFF(sqn_policy_counters, denied_addr);
	OFF(sqn_policy_counters, denied_expired);
	OFF(sqn_policy_counters, denied_dns_name);
	OFF(sqn_policy_counters, denied_dns_server);
	OFF(sqn_policy_counters, denied_dns_bad);
	OFF(sqn_policy_counters, denied_sni);
	OFF(sqn_policy_counters, denied_sni_unchecked);
	OFF(sqn_policy_counters, denied_quic);
	OFF(sqn_policy_counters, denied_proto);
	OFF(sqn_policy_counters, denied_frame);
	OFF(sqn_policy_counters, replies);
	OFF(sqn_policy_counters, dns_allowed);
	OFF(sqn_policy_counters, dns_answers);
	OFF(sqn_policy_counters, dns_malformed);
	OFF(sqn_policy_counters, dns_split);
	OFF(sqn_policy_counters, learnt);
	OFF(sqn_policy_counters, refreshed);
	OFF(sqn_policy_counters, evicted);
	OFF(sqn_policy_counters, expired);
	OFF(sqn_policy_counters, revoked);
	OFF(sqn_policy_counters, learnt_now);
	OFF(sqn_policy_counters, sni_checked);
	OFF(sqn_policy_counters, log_suppressed);
	SIZE(sqn_capture);
	OFF(sqn_capture, size);
	OFF(sqn_capture, path);
	OFF(sqn_capture, snaplen);
	OFF(sqn_capture, dirs);
	OFF(sqn_capture, nsec);
	OFF(sqn_capture, buf_bytes);
	printf("SQN_CAPTURE_RX %u\n", SQN_CAPTURE_RX);
	printf("SQN_CAPTURE_TX %u\n", SQN_CAPTURE_TX);
	printf("SQN_LIMIT_RX_BANDWIDTH %u\n", SQN_LIMIT_RX_BANDWIDTH);
	printf("SQN_LIMIT_RX_OPS %u\n", SQN_LIMIT_RX_OPS);
	printf("SQN_LIMIT_TX_BANDWIDTH %u\n", SQN_LIMIT_TX_BANDWIDTH);
	printf("SQN_LIMIT_TX_OPS %u\n", SQN_LIMIT_TX_OPS);
	printf("SQN_ON %d\n", SQN_ON);
	SIZE(sqn_mode_info);
	OFF(sqn_mode_info, size);
	OFF(sqn_mode_info, mode);
	OFF(sqn_mode_info, name);
	OFF(sqn_mode_info, summary);
	OFF(sqn_mode_info, platform);
	OFF(sqn_mode_info, flags);
	OFF(sqn_mode_info, uses);
	OFF(sqn_mode_info, needs);
	OFF(sqn_mode_info, supported);
	OFF(sqn_mode_info, why_not);
	printf("SQN_MODE_WHY_LEN %d\n", SQN_MODE_WHY_LEN);
	printf("SQN_MODE_HAS_DHCP %u\n", SQN_MODE_HAS_DHCP);
	printf("SQN_MODE_ONE_LOCK %u\n", SQN_MODE_ONE_LOCK);
	printf("SQN_MODE_LARGE_FRAMES %u\n", SQN_MODE_LARGE_FRAMES);
	printf("SQN_MODE_LIVE_FORWARDS %u\n", SQN_MODE_LIVE_FORWARDS);
	printf("SQN_PARAMS_HELPER %u\n", SQN_PARAMS_HELPER);
	printf("SQN_PARAMS_URL %u\n", SQN_PARAMS_URL);
	printf("SQN_PARAMS_DEVICE %u\n", SQN_PARAMS_DEVICE);
	printf("SQN_PARAMS_QUEUES %u\n", SQN_PARAMS_QUEUES);
	printf("SQN_PARAMS_OFFLOAD %u\n", SQN_PARAMS_OFFLOAD);
	printf("SQN_PARAMS_SLIRP %u\n", SQN_PARAMS_SLIRP);
	printf("SQN_PARAMS_BRIDGED %u\n", SQN_PARAMS_BRIDGED);
	printf("SQN_MTU_MIN %d\n", SQN_MTU_MIN);
	printf("SQN_MTU_MAX %d\n", SQN_MTU_MAX);
	printf("SQN_BATCH %d\n", SQN_BATCH);
	printf("SQN_FRAME_MIN %d\n", SQN_FRAME_MIN);
	printf("SQN_FRAME_MAX %d\n", SQN_FRAME_MAX);
	printf("SQN_MAX_QUEUES %d\n", SQN_MAX_QUEUES);
	printf("SQN_MODE_COUNT_ %d\n", (int)SQN_MODE_COUNT_);
	printf("sizeof_enum %zu\n", sizeof(enum sqn_mode));
	return 0;
}
"#;

/// from_build_dir() - the library and header of a Meson build directory
fn from_build_dir(manifest: &Path, dir: &Path) -> (Vec<PathBuf>, PathBuf) {
    let dir = manifest.join(dir);
    let lib = dir.join("src").join("libsquibnet.so");
    if !lib.exists() {
        panic!(
            "SQUIBNET_BUILD_DIR={}: there is no src/libsquibnet.so in it; build \
             the library first (meson setup build && ninja -C build) and give \
             that directory",
            dir.display()
        );
    }
    println!("cargo:rerun-if-changed={}", lib.display());
    let source = meson_source_dir(&dir).unwrap_or_else(|| manifest.join("../.."));
    let include = source.join("include");
    if !include.join("squibnet.h").exists() {
        panic!(
            "SQUIBNET_BUILD_DIR={}: no include/squibnet.h in its source tree {}",
            dir.display(),
            source.display()
        );
    }
    (vec![dir.join("src")], include)
}

/// meson_source_dir() - the source tree a Meson build directory was made from
fn meson_source_dir(build: &Path) -> Option<PathBuf> {
    let info = fs::read_to_string(build.join("meson-info/meson-info.json")).ok()?;
    let key = "\"source\": \"";
    let start = info.find(key)? + key.len();
    let end = info[start..].find('"')? + start;
    Some(PathBuf::from(&info[start..end]))
}

/// pkg_config() - one pkg-config query's output split into words
fn pkg_config(args: &[&str]) -> Result<Vec<String>, String> {
    let prog = env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into());
    let out = Command::new(&prog)
        .args(args)
        .arg("squibnet")
        .output()
        .map_err(|e| format!("cannot run {}: {}", prog, e))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect())
}

/// not_found() - stop the build: say how to point it at the library
fn not_found(why: &str) -> ! {
    panic!(
        "libsquibnet not found: set SQUIBNET_BUILD_DIR to a Meson build \
         directory of squib-net (e.g. SQUIBNET_BUILD_DIR=../../build), or \
         install libsquibnet-dev / set PKG_CONFIG_PATH so that \
         `pkg-config squibnet` works ({})",
        why
    )
}

/// from_pkg_config() - the library and header of an installed libsquibnet
fn from_pkg_config() -> (Vec<PathBuf>, PathBuf) {
    let libs = pkg_config(&["--libs-only-L"]).unwrap_or_else(|e| not_found(&e));
    let cflags = pkg_config(&["--cflags-only-I"]).unwrap_or_else(|e| not_found(&e));
    let dirs: Vec<PathBuf> = libs
        .iter()
        .filter_map(|w| w.strip_prefix("-L"))
        .map(PathBuf::from)
        .collect();
    let include = cflags
        .iter()
        .filter_map(|w| w.strip_prefix("-I"))
        .map(PathBuf::from)
        .find(|d| d.join("squibnet.h").exists())
        .unwrap_or_else(|| PathBuf::from("/usr/include"));
    (dirs, include)
}

/// link_dir_for_cargo() - OUT_DIR/lib with links to the shared library
///
/// Cargo puts link-search paths inside OUT_DIR on the dynamic loader's path
/// of `cargo test` and `cargo run`, doctests included (an rpath alone does
/// not reach rustdoc's test binaries).
fn link_dir_for_cargo(out: &Path, libdir: &Path) -> PathBuf {
    let dir = out.join("lib");
    let _ = fs::create_dir_all(&dir);
    if let Ok(entries) = fs::read_dir(libdir) {
        for e in entries.flatten() {
            let name = e.file_name();
            if name.to_string_lossy().starts_with("libsquibnet.so") {
                let link = dir.join(&name);
                let _ = fs::remove_file(&link);
                #[cfg(unix)]
                let _ = std::os::unix::fs::symlink(e.path(), &link);
            }
        }
    }
    dir
}

/// c_layout() - compile and run the layout program; its answers as Rust
fn c_layout(out: &Path, include: &Path) -> Result<String, String> {
    let src = out.join("layout.c");
    let exe = out.join("layout");
    fs::write(&src, LAYOUT_C).map_err(|e| e.to_string())?;
    let cc = env::var("CC").unwrap_or_else(|_| "cc".into());
    let st = Command::new(&cc)
        .arg("-I")
        .arg(include)
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .status()
        .map_err(|e| format!("cannot run {}: {}", cc, e))?;
    if !st.success() {
        return Err(format!("{} could not compile the layout program", cc));
    }
    let run = Command::new(&exe).output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&run.stdout);
    let mut rs = String::from("pub(crate) const C_LAYOUT: &[(&str, usize)] = &[\n");
    for line in text.lines() {
        let mut w = line.split_whitespace();
        if let (Some(k), Some(v)) = (w.next(), w.next()) {
            rs.push_str(&format!("    ({:?}, {}),\n", k, v));
        }
    }
    rs.push_str("];\n");
    Ok(rs)
}

fn main() {
    for var in [
        "SQUIBNET_BUILD_DIR",
        "PKG_CONFIG",
        "PKG_CONFIG_PATH",
        "PKG_CONFIG_LIBDIR",
        "PKG_CONFIG_SYSROOT_DIR",
        "CC",
    ] {
        println!("cargo:rerun-if-env-changed={}", var);
    }
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));

    let (dirs, include) = match env::var_os("SQUIBNET_BUILD_DIR") {
        Some(d) if !d.is_empty() => from_build_dir(&manifest, Path::new(&d)),
        _ => from_pkg_config(),
    };
    println!(
        "cargo:rerun-if-changed={}",
        include.join("squibnet.h").display()
    );
    for d in &dirs {
        let system = d.starts_with("/usr/lib") || d.starts_with("/lib");
        if !system {
            let cargo_dir = link_dir_for_cargo(&out, d);
            println!("cargo:rustc-link-search=native={}", cargo_dir.display());
            println!("cargo:rustc-link-arg=-Wl,-rpath,{}", d.display());
        }
        println!("cargo:rustc-link-search=native={}", d.display());
    }
    println!("cargo:rustc-link-lib=dylib=squibnet");
    println!("cargo:include={}", include.display());

    let layout = c_layout(&out, &include).unwrap_or_else(|why| {
        println!("cargo:warning=no C layout check: {}", why);
        "pub(crate) const C_LAYOUT: &[(&str, usize)] = &[];\n".to_string()
    });
    fs::write(out.join("c_layout.rs"), layout).expect("write c_layout.rs");
}
