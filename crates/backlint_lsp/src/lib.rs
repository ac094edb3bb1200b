//! backlint's language server: diagnostics while typing, quick fixes, rule documentation on
//! hover.

pub mod code_actions;
pub mod diagnostics;
pub mod document;
pub mod hover;
pub mod line_index;
pub mod server;
pub mod transport;
pub mod workspace;

use std::io;

use backlint_engine::settings::Registry;

pub use server::Ending;

/// Serves one client over standard input and output until it sends `exit` or goes away.
pub fn run_stdio(registry: &'static Registry) -> io::Result<Ending> {
    let (incoming, outgoing, writer) =
        transport::start(io::BufReader::new(io::stdin()), io::stdout())?;
    let ending = server::serve(registry, &incoming, outgoing);
    // Every sender of the writer is gone with the server: it ends once it has written all.
    let _ = writer.join();
    ending
}
