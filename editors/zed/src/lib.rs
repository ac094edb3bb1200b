//! Zed runs language servers through extensions: this one starts `backlint lsp` from the PATH.

use zed_extension_api::{self as zed, Command, LanguageServerId, Result, Worktree};

struct Backlint;

impl zed::Extension for Backlint {
    fn new() -> Self {
        Backlint
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Command> {
        let command = worktree.which("backlint").ok_or_else(|| {
            "backlint is not on the PATH: install it with `cargo install --path .` from its \
             repository"
                .to_owned()
        })?;
        Ok(Command {
            command,
            args: vec!["lsp".to_owned()],
            env: worktree.shell_env(),
        })
    }
}

zed::register_extension!(Backlint);
