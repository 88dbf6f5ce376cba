// SPDX-License-Identifier: Apache-2.0
//! vmm.rs - a VMM's network path with squib-net 0.2.0's calls: start the
//! interface, send the guest's first frame (a DHCP DISCOVER) from the TX
//! path, wait for the answer on the RX path, print the counters, stop
//!
//! Run: SQUIBNET_BUILD_DIR=../../build cargo run --example vmm [-- MODE]
//! MODE: shared, host or bridged (vmnet, macOS; the default, which falls
//! back to this platform's default mode where vmnet is missing), or any
//! mode of the library: slirp, loopback, userspace, ...

use std::error::Error;
use std::time::Duration;

use squib_net::{
    mac_format, Iface, IfaceError, InterfaceParams, Mode, Params, VmnetIface, VmnetMode,
};

#[path = "../tests/common/mod.rs"]
mod common;

fn start(arg: Option<&str>) -> Result<VmnetIface, IfaceError> {
    let vmnet = match arg {
        None | Some("shared") => Some(VmnetMode::Shared),
        Some("host") => Some(VmnetMode::Host),
        Some("bridged") => Some(VmnetMode::Bridged),
        Some(_) => None,
    };
    if let Some(mode) = vmnet {
        let mut params = InterfaceParams::new("eth0", mode);
        params.bridged_iface_name = Some("en0".into());
        match VmnetIface::start(params) {
            Err(e @ IfaceError::NotSupported { .. }) if arg.is_none() => {
                eprintln!("vmm: {}", e);
                eprintln!("vmm: using {} instead", Mode::Default.resolve());
            }
            other => return other,
        }
    }
    let mode: Mode = arg
        .filter(|_| vmnet.is_none())
        .unwrap_or("default")
        .parse()?;
    Ok(VmnetIface::from(Iface::start(&Params::new("eth0", mode))?))
}

fn main() -> Result<(), Box<dyn Error>> {
    let arg = std::env::args().nth(1);
    let mut iface = start(arg.as_deref())?;
    let guest_mac = iface.iface().map(Iface::guest_mac).unwrap_or_default();
    let mode = iface.iface().map(Iface::mode).unwrap_or_default();
    println!(
        "{}: {} mode ({}), mtu {}, host mac {}, guest mac {}",
        iface.iface_id(),
        mode,
        mode.info().summary,
        iface.mtu(),
        mac_format(&iface.host_mac()),
        mac_format(&guest_mac)
    );

    // The TX and RX paths on two threads, sharing the interface.
    let answer = std::thread::scope(|s| {
        let rx = s.spawn(|| {
            common::read_until(&iface, Duration::from_secs(3), |f| {
                println!(
                    "rx: {} bytes from {}",
                    f.len(),
                    mac_format(&[f[6], f[7], f[8], f[9], f[10], f[11]])
                );
                Some(common::parse_dhcp_reply(f))
            })
        });
        let discover = common::dhcp_discover(guest_mac, 0x5155_0001);
        let n = iface.write(&[&discover[..]]).expect("write");
        println!(
            "tx: DHCP DISCOVER, {} bytes, {} frame consumed",
            discover.len(),
            n
        );
        rx.join().expect("rx thread")
    });
    match answer {
        Some(Some(d)) => println!(
            "DHCP offer: {}.{}.{}.{}, gateway {}.{}.{}.{}",
            d.yiaddr[0],
            d.yiaddr[1],
            d.yiaddr[2],
            d.yiaddr[3],
            d.router[0],
            d.router[1],
            d.router[2],
            d.router[3]
        ),
        Some(None) => println!("the frame that came back is not a DHCP reply"),
        None => println!("nothing came back within 3 s"),
    }
    let s = iface.stats();
    println!(
        "stats: tx {} frames {} bytes, rx {} frames {} bytes",
        s.tx_frames, s.tx_bytes, s.rx_frames, s.rx_bytes
    );
    iface.stop()?;
    Ok(())
}
