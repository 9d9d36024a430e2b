"""What `make run` tells a newcomer: each step, how long training has left, the addresses once
everything answers, and no library chatter (it goes to .state/logs/, whose paths are printed).

scripts/run.sh is made of the helpers tested here (scripts/progress.sh, scripts/processes.sh),
driven with small stand-in processes instead of Rasa servers so that the checks cost seconds.
"""

import subprocess
from pathlib import Path

from bench.ports import free_port
from conftest import ROOT

LIBRARY_NOISE = "DeprecationWarning: np.bool is a deprecated alias"


def run_bash(script: str, tmp_path: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs script with the helpers sourced and LOGS in tmp_path; stdout and stderr as the terminal gets them."""
    prelude = (
        f"set -euo pipefail\nexport LOGS={tmp_path / 'logs'}\n"
        f"source {ROOT / 'scripts' / 'progress.sh'}\nsource {ROOT / 'scripts' / 'processes.sh'}\n"
        "trap 'kill \"${served_pids[@]}\" 2>/dev/null || true' EXIT\n"
    )
    return subprocess.run(["bash", "-c", prelude + script], cwd=tmp_path, capture_output=True, text=True,
                          timeout=timeout)


def test_once_everything_answers_the_addresses_and_logs_are_said_and_library_output_is_not(tmp_path):
    port = free_port()
    result = run_bash(
        f'serve "demo site" "http://localhost:{port}" "http://127.0.0.1:{port}/" '
        f"sh -c 'echo \"{LIBRARY_NOISE}\" >&2; sleep 1; exec python3 -m http.server {port} --bind 127.0.0.1'\n"
        'serve "notices worker" - - sleep 30\n'
        "await_ready 30\nprint_addresses\n",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    terminal = result.stdout + result.stderr
    assert "ready after" in terminal and "demo site" in terminal and "notices worker" in terminal
    assert f"demo site       http://localhost:{port}" in terminal
    assert f"{tmp_path}/logs/demo-site.log" in terminal
    assert LIBRARY_NOISE not in terminal
    assert LIBRARY_NOISE in (tmp_path / "logs" / "demo-site.log").read_text()


def test_a_process_that_stops_is_named_with_the_end_of_its_log(tmp_path):
    result = run_bash(
        "serve \"action server\" http://localhost:1/health http://127.0.0.1:1/health "
        "sh -c 'echo \"ModuleNotFoundError: No module named actions.nope\" >&2; exit 1'\n"
        "await_ready 30\n",
        tmp_path,
    )
    assert result.returncode != 0
    assert "The action server stopped" in result.stderr
    assert "ModuleNotFoundError: No module named actions.nope" in result.stderr


def test_a_failing_step_shows_the_end_of_its_log_and_a_finished_one_its_time(tmp_path):
    failed = run_bash("with_progress installing 300 $LOGS/install.log no_detail "
                      "sh -c 'echo ERROR: No matching distribution for rasa==9 >&2; exit 1'", tmp_path)
    assert failed.returncode == 1
    assert "installing failed (exit 1)" in failed.stderr and "No matching distribution" in failed.stderr
    done = run_bash("with_progress installing 300 $LOGS/install.log no_detail sh -c 'echo pip chatter'", tmp_path)
    assert done.returncode == 0 and "installing: done in 0m0" in done.stderr and "chatter" not in done.stderr


def test_training_progress_names_the_component_and_its_epoch(tmp_path):
    log = tmp_path / "train.log"
    # As Rasa writes it at INFO: a log line per component, then tqdm's bar redrawn with \r.
    log.write_text(
        "2026-12-01 05:50:01 INFO     rasa.engine.training.hooks  - Starting to train component 'DIETClassifier'.\n"
        "Epochs:   0%|          | 0/60 [00:00<?, ?it/s]\r"
        "Epochs:  45%|████▌     | 27/60 [00:10<00:12,  2.61it/s, t_loss=1.23, i_acc=0.98]\r"
    )
    result = run_bash(f"rasa_training_detail {log}", tmp_path)
    assert result.stdout == "; training DIETClassifier, epoch 27/60"
    # While the progress waits, it is slower than the estimate: said, not a negative time.
    slow = run_bash(f"with_progress training 1 {log}.out rasa_training_detail sleep 3", tmp_path)
    assert "taking longer than the 0m01s expected" in slow.stderr


def test_model_script_prints_only_the_model_path_on_stdout(model_path):
    result = subprocess.run([str(ROOT / "scripts" / "model.sh")], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    assert result.stdout.splitlines() == [str(Path(model_path).relative_to(ROOT))]
