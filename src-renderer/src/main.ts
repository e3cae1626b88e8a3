import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { wireStores } from './stores/wiring.svelte';

wireStores();

mount(App, { target: document.getElementById('app')! });
