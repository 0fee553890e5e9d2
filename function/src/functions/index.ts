/** Entry point of the deployed bundle (package.json `main`): registers every function. */
import './onPasswordSubmit';
import './b2c';
